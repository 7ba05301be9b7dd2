"""The coordinator's working list of patients: who is where, what is open, what is overdue,
the most urgent first, one page at a time.

One query (`find_patients`) serves the CLI, the API and the board, so all three find and sort
alike. Ranking and paging happen in SQL over per-patient aggregates of open tasks and
unacknowledged alerts, so a page of 50 costs the same for 100 patients or 10,000.

Urgency (CLINICAL_SPEC §7a, issue "The coordinator's working day"): unacknowledged alerts that
hold before cleared ones, critical before warning, overdue tasks before due ones: holding
critical alerts, then holding warnings, then overdue tasks, then cleared critical and cleared
warning alerts awaiting acknowledgement, then the soonest task due. Alerts withdrawn within
their recording day count nowhere; a closed patient's alerts count nowhere and a closed
patient ranks last.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import product
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, not_, or_
from sqlmodel import Session, col, select

from pathway.catalogue import ANTI_BODY_STATUSES, ILD_COURSES
from pathway.machine import STATES
from pathway.phenotype import phenotype_group
from persistence.tables import AlertRow, CareTaskRow, PatientRow

from ..bootstrap import App
from .cohort_query import PAGE_SIZE, SEVERITY_RANK, CohortQuery, Paged, id_prefix_pattern

__all__ = [
    "SEVERITY_RANK",
    "CohortEntry",
    "CohortPage",
    "CohortQuery",
    "TaskTally",
    "WorkCounts",
    "find_patients",
    "list_cohort",
]

WEEK_DAYS = 7
"""'This week' is the next seven days, today included."""

_SEVERITIES = ("critical", "warning", "info")


@dataclass(frozen=True)
class TaskTally:
    """A patient's open tasks of one kind: how many, the soonest date in force, and how many
    days the most overdue of them is late (0 when none is)."""

    kind: str
    count: int
    due_on: date
    days_overdue: int


@dataclass(frozen=True)
class CohortEntry:
    patient_id: str
    state: str
    state_since: date
    phenotype: str
    diagnosis: str
    anti_mda5: str
    anti_ars: str
    ild_course: str | None
    next_task: str | None = None
    next_due_on: date | None = None
    open_tasks: int = 0
    overdue_tasks: int = 0
    unacknowledged_alerts: dict[str, int] = field(default_factory=dict)
    """Standing alerts not yet acknowledged, by severity: holding and cleared ones."""
    holding_alerts: dict[str, int] = field(default_factory=dict)
    """Of those, the ones that still hold (§7a), by severity: what ranks a patient."""
    tasks_by_kind: tuple[TaskTally, ...] = ()
    """Every open task, by kind, the most overdue (then the soonest) first."""

    @property
    def cleared_alerts(self) -> dict[str, int]:
        """Unacknowledged alerts that are cleared, by severity."""
        return {
            s: n - self.holding_alerts.get(s, 0)
            for s, n in self.unacknowledged_alerts.items()
            if n - self.holding_alerts.get(s, 0)
        }

    @property
    def highest_severity(self) -> str | None:
        present = [s for s, n in self.unacknowledged_alerts.items() if n]
        return max(present, key=SEVERITY_RANK.__getitem__) if present else None

    @property
    def urgent(self) -> bool:
        """Drawn as urgent: an overdue task, or an unacknowledged critical alert that holds."""
        return self.overdue_tasks > 0 or self.holding_alerts.get("critical", 0) > 0


@dataclass(frozen=True)
class WorkCounts:
    """Open tasks of patients not closed: overdue, due today, due in the next 7 days."""

    overdue: int = 0
    today: int = 0
    week: int = 0


@dataclass(frozen=True)
class CohortPage(Paged):
    """One page of the list, with what the whole list holds."""

    entries: list[CohortEntry]
    total: int
    """Patients matching the query, on every page."""
    offset: int
    limit: int
    state_counts: dict[str, int]
    """Patients enrolled by state, the whole cohort (the board's counts row)."""
    work: WorkCounts

    @property
    def shown(self) -> int:
        return len(self.entries)


def _due_in_force() -> Any:
    """A task's date in force: the rescheduled date when a person moved it (§8)."""
    return func.coalesce(col(CareTaskRow.rescheduled_to), col(CareTaskRow.due_on))


def _open_on(day: date) -> ColumnElement[bool]:
    return and_(col(CareTaskRow.status) == "open", col(CareTaskRow.opened_on) <= day)


def _phenotype() -> Any:
    """§4's phenotype group as SQL, built from `phenotype_group` itself over every value the
    two columns may hold, so the board and the pathway never disagree."""
    whens = [
        (
            and_(
                col(PatientRow.anti_mda5) == mda5,
                col(PatientRow.ild_course).is_(None)
                if course is None
                else col(PatientRow.ild_course) == course,
            ),
            literal(phenotype_group(mda5, course)),
        )
        for mda5, course in product(ANTI_BODY_STATUSES, (*ILD_COURSES, None))
    ]
    return case(*whens, else_=literal("unclassified"))


def _task_totals(day: date) -> Any:
    due = _due_in_force()
    return (
        select(
            col(CareTaskRow.patient_id).label("pid"),
            func.count().label("open_tasks"),
            func.sum(case((due < day, 1), else_=0)).label("overdue"),
            func.min(due).label("next_due"),
        )
        .where(_open_on(day))
        .group_by(col(CareTaskRow.patient_id))
        .subquery()
    )


def _alert_totals(day: date) -> Any:
    """Unacknowledged standing alerts by severity, holding (``h_``) or cleared (``c_``) on
    ``day``; withdrawn alerts left out (§7a)."""
    holds = or_(col(AlertRow.cleared_on).is_(None), col(AlertRow.cleared_on) > day)

    def tally(severity: str, holding: bool) -> Any:
        standing = holds if holding else not_(holds)
        hit = and_(col(AlertRow.severity) == severity, standing)
        return func.sum(case((hit, 1), else_=0)).label(f"{'h' if holding else 'c'}_{severity}")

    columns = [tally(s, h) for h in (True, False) for s in _SEVERITIES]
    return (
        select(col(AlertRow.patient_id).label("pid"), *columns)
        .where(
            col(AlertRow.acknowledged_at).is_(None),
            col(AlertRow.raised_on) <= day,
            col(AlertRow.status) != "withdrawn",
        )
        .group_by(col(AlertRow.patient_id))
        .subquery()
    )


def _task_wanted(query: CohortQuery, day: date) -> ColumnElement[bool]:
    """An open task matching every task filter at once (kind, due window, assignee)."""
    due = _due_in_force()
    conditions = [col(CareTaskRow.patient_id) == col(PatientRow.id), _open_on(day)]
    if query.task_kind:
        conditions.append(col(CareTaskRow.kind) == query.task_kind)
    if query.assignee:
        conditions.append(col(CareTaskRow.assignee) == query.assignee)
    if query.due == "overdue":
        conditions.append(due < day)
    elif query.due == "today":
        conditions.append(due == day)
    elif query.due == "week":
        conditions.append(and_(due >= day, due < day + timedelta(days=WEEK_DAYS)))
    return exists(select(CareTaskRow.id).where(*conditions))


class _Listing:
    """The query's SQL: the filtered patients with their aggregates, and its order."""

    def __init__(self, query: CohortQuery, day: date) -> None:
        self.query, self.day = query, day
        self.tasks, self.alerts = _task_totals(day), _alert_totals(day)
        self.phenotype = _phenotype().label("phenotype")

    def count(self, prefix: str, severities: tuple[str, ...] = _SEVERITIES) -> Any:
        return sum(
            (func.coalesce(getattr(self.alerts.c, f"{prefix}_{s}"), 0) for s in severities),
            literal(0),
        )

    def columns(self) -> list[Any]:
        t = self.tasks.c
        alert_columns = [
            func.coalesce(getattr(self.alerts.c, f"{p}_{s}"), 0).label(f"{p}_{s}")
            for p in ("h", "c")
            for s in _SEVERITIES
        ]
        return [
            PatientRow.id,
            PatientRow.external_id,
            PatientRow.state,
            PatientRow.state_since,
            PatientRow.diagnosis,
            PatientRow.anti_mda5,
            PatientRow.anti_ars,
            PatientRow.ild_course,
            self.phenotype,
            func.coalesce(t.open_tasks, 0).label("open_tasks"),
            func.coalesce(t.overdue, 0).label("overdue"),
            t.next_due.label("next_due"),
            *alert_columns,
        ]

    def select(self, *columns: Any) -> Any:
        # a closed patient's alerts count nowhere (§7a): not joined at all
        alerts_on = and_(self.alerts.c.pid == col(PatientRow.id), col(PatientRow.state) != "closed")
        statement = (
            select(*columns)
            .select_from(PatientRow)
            .outerjoin(self.tasks, self.tasks.c.pid == col(PatientRow.id))
            .outerjoin(self.alerts, alerts_on)
        )
        return statement.where(*self.where())

    def where(self) -> list[Any]:
        query, day = self.query, self.day
        conditions: list[Any] = [col(PatientRow.enrolled_on) <= day]
        if not query.lists_closed:
            conditions.append(col(PatientRow.state) != "closed")
        if query.states:
            conditions.append(col(PatientRow.state).in_(query.states))
        if query.phenotype:
            conditions.append(_phenotype() == query.phenotype)
        if query.task_kind or query.due or query.assignee:
            conditions.append(_task_wanted(query, day))
        if query.alerts or query.alert_severity:
            floor = SEVERITY_RANK[query.alert_severity or "info"]
            severities = tuple(s for s in _SEVERITIES if SEVERITY_RANK[s] >= floor)
            prefixes = {"holding": ("h",), "cleared": ("c",)}.get(query.alerts or "", ("h", "c"))
            conditions.append(sum(self.count(p, severities) for p in prefixes) > 0)
        if query.search:
            text = query.search.strip().lower()
            lowered = func.lower(col(PatientRow.external_id))
            begins = lowered.like(id_prefix_pattern(text), escape="\\")
            conditions.append(or_(lowered == text, begins))
        return conditions

    def order(self) -> list[Any]:
        query, t = self.query, self.tasks.c
        urgency = [
            case((col(PatientRow.state) == "closed", 1), else_=0),
            -self.count("h", ("critical",)),
            -self.count("h", ("warning",)),
            -func.coalesce(t.overdue, 0),
            -self.count("c", ("critical",)),
            -self.count("c", ("warning",)),
            -self.count("h", ("info",)),
            case((t.next_due.is_(None), 1), else_=0),
            t.next_due,
        ]
        orders: dict[str, list[Any]] = {
            "urgency": [],
            "patient": [func.lower(col(PatientRow.external_id))],
            "state": [case(*((col(PatientRow.state) == s, i) for i, s in enumerate(STATES)))],
            "phenotype": [self.phenotype],
            "next_due": [case((t.next_due.is_(None), 1), else_=0), t.next_due],
            "overdue": [-func.coalesce(t.overdue, 0)],
            "alerts": urgency[1:3] + urgency[4:7],
        }
        chosen = orders[query.sort_by]
        if query.descending:
            chosen = [c.desc() for c in chosen]
        exact = []
        if query.search:
            lowered = func.lower(col(PatientRow.external_id))
            exact = [case((lowered == query.search.strip().lower(), 0), else_=1)]
        return [*exact, *chosen, *urgency, col(PatientRow.external_id)]


def _entry(row: Any, tallies: tuple[TaskTally, ...]) -> CohortEntry:
    holding = {s: int(getattr(row, f"h_{s}")) for s in _SEVERITIES if getattr(row, f"h_{s}")}
    standing = {
        s: int(getattr(row, f"h_{s}")) + int(getattr(row, f"c_{s}"))
        for s in _SEVERITIES
        if getattr(row, f"h_{s}") or getattr(row, f"c_{s}")
    }
    first = tallies[0] if tallies else None
    soonest = min(tallies, key=lambda t: t.due_on) if tallies else None
    return CohortEntry(
        patient_id=row.external_id,
        state=row.state,
        state_since=row.state_since,
        phenotype=row.phenotype,
        diagnosis=row.diagnosis,
        anti_mda5=row.anti_mda5,
        anti_ars=row.anti_ars,
        ild_course=row.ild_course,
        next_task=(first.kind if first and first.days_overdue else soonest.kind)
        if soonest
        else None,
        next_due_on=row.next_due,
        open_tasks=int(row.open_tasks),
        overdue_tasks=int(row.overdue),
        unacknowledged_alerts=standing,
        holding_alerts=holding,
        tasks_by_kind=tallies,
    )


def _tallies(session: Session, ids: list[int], day: date) -> dict[int, tuple[TaskTally, ...]]:
    """The open tasks of these patients by kind: one query for the page."""
    if not ids:
        return {}
    due = _due_in_force()
    rows = session.exec(
        select(col(CareTaskRow.patient_id), col(CareTaskRow.kind), func.count(), func.min(due))
        .where(_open_on(day), col(CareTaskRow.patient_id).in_(ids))
        .group_by(col(CareTaskRow.patient_id), col(CareTaskRow.kind))
    )
    found: dict[int, list[TaskTally]] = {}
    for pid, kind, count, soonest in rows:
        soonest = date.fromisoformat(soonest) if isinstance(soonest, str) else soonest
        late = max(0, (day - soonest).days)
        found.setdefault(pid, []).append(TaskTally(kind, int(count), soonest, late))
    return {
        pid: tuple(sorted(t, key=lambda x: (-x.days_overdue, x.due_on, x.kind)))
        for pid, t in found.items()
    }


def _state_counts(session: Session, day: date) -> dict[str, int]:
    rows = session.exec(
        select(col(PatientRow.state), func.count())
        .where(col(PatientRow.enrolled_on) <= day)
        .group_by(col(PatientRow.state))
    )
    counts = dict(rows.all())
    return {state: int(counts.get(state, 0)) for state in STATES}


def _work_counts(session: Session, day: date) -> WorkCounts:
    due = _due_in_force()
    week_end = day + timedelta(days=WEEK_DAYS)
    row = session.exec(
        select(
            func.sum(case((due < day, 1), else_=0)),
            func.sum(case((due == day, 1), else_=0)),
            func.sum(case((and_(due >= day, due < week_end), 1), else_=0)),
        )
        .join(PatientRow, col(PatientRow.id) == col(CareTaskRow.patient_id))
        .where(_open_on(day), col(PatientRow.state) != "closed")
    ).one()
    return WorkCounts(*(int(n or 0) for n in row))


def _as_date(value: Any) -> Any:
    return date.fromisoformat(value) if isinstance(value, str) else value


def find_patients(
    app: App,
    query: CohortQuery,
    *,
    offset: int = 0,
    limit: int = PAGE_SIZE,
    as_of: date | None = None,
) -> CohortPage:
    """One page of the patients the query asks for, in its order, with the cohort's counts."""
    query.check()
    day = as_of or app.clock.today()
    listing = _Listing(query, day)
    with app.transaction() as session:
        total = session.exec(
            select(func.count()).select_from(listing.select(PatientRow.id).subquery())
        ).one()
        rows = session.exec(
            listing.select(*listing.columns())
            .order_by(*listing.order())
            .offset(offset)
            .limit(limit)
        ).all()
        tallies = _tallies(session, [r.id for r in rows], day)
        state_counts = _state_counts(session, day)
        work = _work_counts(session, day)
    entries = [_entry(_Row(r, next_due=_as_date(r.next_due)), tallies.get(r.id, ())) for r in rows]
    return CohortPage(entries, int(total), offset, limit, state_counts, work)


class _Row:
    """A result row with one column replaced (SQLite returns MIN over a COALESCE as text)."""

    def __init__(self, row: Any, **replaced: Any) -> None:
        self._row, self._replaced = row, replaced

    def __getattr__(self, name: str) -> Any:
        if name in self._replaced:
            return self._replaced[name]
        return getattr(self._row, name)


def list_cohort(app: App, query: CohortQuery, as_of: date | None = None) -> list[CohortEntry]:
    """Every patient the query asks for, in its order (reports and tests; lists page)."""
    return find_patients(app, query, limit=1_000_000, as_of=as_of).entries
