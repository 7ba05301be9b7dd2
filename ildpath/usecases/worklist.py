"""The coordinators' worklist: open care tasks due in a period, and every task already
overdue, one page at a time. One query for the CLI, the API and the dashboard.

Filtered, sorted and paged in SQL, so the worklist of a 10,000-patient registry costs what
one page costs. A task's date is the one in force: a person's rescheduled date (§8) when
there is one, with the engine's beside it.
"""

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_
from sqlmodel import col, select

from pathway.codes import TASKS
from pathway.errors import InvalidValue
from pathway.validation import check_text
from persistence.tables import CareTaskRow, PatientRow

from ..bootstrap import App
from .cohort_query import DUE_WINDOWS, PAGE_SIZE, Paged, id_prefix_pattern

__all__ = [
    "TASK_SORTS",
    "WORKLIST_DAYS",
    "DueTask",
    "TaskPage",
    "TaskQuery",
    "find_tasks",
]

WORKLIST_DAYS = 14
"""The worklist looks this many days ahead unless asked otherwise (CLI, API, dashboard)."""

TASK_SORTS = {
    "due": "due date, soonest first",
    "patient": "patient id",
    "task": "task",
    "assignee": "assigned to",
}
"""The orders the worklist may be sorted in; ``-`` before one reverses it."""


@dataclass(frozen=True)
class DueTask:
    """A task on the coordinator's worklist; ``days_overdue`` is 0 until the day after the
    date in force (``due_on``: the rescheduled date when a person moved it, §8, with the
    engine's date beside it in ``engine_due_on``). ``id`` is what a person acts on it by."""

    patient_id: str
    kind: str
    opened_on: date
    due_on: date
    days_overdue: int
    message: str
    source: str
    id: int = 0
    engine_due_on: date | None = None
    rescheduled: bool = False
    assignee: str | None = None

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


@dataclass(frozen=True)
class TaskQuery:
    """Open tasks due from ``start`` to ``end`` and every task already overdue; or, with
    ``due``, only those overdue, due today or due in the next 7 days. ``search``: a patient
    id, whole or its beginning, any case."""

    start: date
    end: date
    kinds: tuple[str, ...] = ()
    patient_id: str | None = None
    search: str | None = None
    assignee: str | None = None
    due: str | None = None
    sort: str = "due"

    def check(self) -> "TaskQuery":
        if self.end < self.start:
            raise InvalidValue(
                "to", self.end.isoformat(), f"a date on or after the first day, from ({self.start})"
            )
        for kind in self.kinds:
            if kind not in TASKS:
                raise InvalidValue("kind", kind, ", ".join(TASKS))
        if self.due is not None and self.due not in DUE_WINDOWS:
            raise InvalidValue("due", self.due, ", ".join(DUE_WINDOWS))
        if self.sort.removeprefix("-") not in TASK_SORTS:
            raise InvalidValue("sort", self.sort, ", ".join(TASK_SORTS))
        for name in ("search", "assignee", "patient_id"):
            value = getattr(self, name)
            if value is not None:
                check_text(name, value)
        return self

    def mine(self, username: str) -> "TaskQuery":
        return replace(self, assignee=username)


@dataclass(frozen=True)
class TaskPage(Paged):
    tasks: list[DueTask]
    total: int
    overdue: int
    """Overdue tasks among all those matching (not only this page)."""
    offset: int
    limit: int

    @property
    def shown(self) -> int:
        return len(self.tasks)


def _last_day(start: date, days: int) -> date:
    """``start`` plus ``days``, stopping at the calendar's last day instead of failing."""
    return start + timedelta(days=days) if start <= date.max - timedelta(days=days) else date.max


def _where(query: TaskQuery, today: date, due: Any) -> list[Any]:
    conditions: list[Any] = [col(CareTaskRow.status) == "open"]
    if query.due == "overdue":
        conditions.append(due < today)
    elif query.due == "today":
        conditions.append(due == today)
    elif query.due == "week":
        conditions.append(and_(due >= today, due < _last_day(today, 7)))
    else:
        # an overdue task never drops off because its date is before the period
        conditions.append(and_(due <= query.end, or_(due >= query.start, due < today)))
    if query.kinds:
        conditions.append(col(CareTaskRow.kind).in_(query.kinds))
    if query.patient_id:
        conditions.append(col(PatientRow.external_id) == query.patient_id)
    if query.assignee:
        conditions.append(col(CareTaskRow.assignee) == query.assignee)
    if query.search:
        text = query.search.strip().lower()
        pattern = id_prefix_pattern(text)
        conditions.append(func.lower(col(PatientRow.external_id)).like(pattern, escape="\\"))
    return conditions


def _order(query: TaskQuery, due: Any) -> list[Any]:
    by = {
        "due": [due],
        "patient": [func.lower(col(PatientRow.external_id))],
        "task": [col(CareTaskRow.kind)],
        "assignee": [
            case((col(CareTaskRow.assignee).is_(None), 1), else_=0),
            col(CareTaskRow.assignee),
        ],
    }[query.sort.removeprefix("-")]
    if query.sort.startswith("-"):
        by = [c.desc() for c in by]
    return [*by, due, col(PatientRow.external_id), col(CareTaskRow.id)]


def find_tasks(app: App, query: TaskQuery, *, offset: int = 0, limit: int = PAGE_SIZE) -> TaskPage:
    """One page of the worklist, in the query's order, with how many match and are overdue."""
    query.check()
    today = app.clock.today()
    due = func.coalesce(col(CareTaskRow.rescheduled_to), col(CareTaskRow.due_on))
    joined = select(CareTaskRow, PatientRow.external_id).join(
        PatientRow, col(PatientRow.id) == col(CareTaskRow.patient_id)
    )
    where = _where(query, today, due)
    with app.transaction() as session:
        total, overdue = session.exec(
            select(func.count(), func.sum(case((due < today, 1), else_=0)))
            .select_from(CareTaskRow)
            .join(PatientRow, col(PatientRow.id) == col(CareTaskRow.patient_id))
            .where(*where)
        ).one()
        rows = session.exec(
            joined.where(*where).order_by(*_order(query, due)).offset(offset).limit(limit)
        ).all()
        tasks = [_due_task(task, pid, today) for task, pid in rows]
    return TaskPage(tasks, int(total or 0), int(overdue or 0), offset, limit)


def _due_task(task: CareTaskRow, patient_id: str, today: date) -> DueTask:
    in_force = task.rescheduled_to or task.due_on
    info = TASKS[task.kind]
    return DueTask(
        patient_id,
        task.kind,
        task.opened_on,
        in_force,
        max(0, (today - in_force).days),
        info.message,
        info.source,
        task.id or 0,
        task.due_on,
        task.rescheduled_to is not None,
        task.assignee,
    )


def default_end(start: date) -> date:
    """The worklist's last day unless asked: ``WORKLIST_DAYS`` after the first."""
    return _last_day(start, WORKLIST_DAYS)
