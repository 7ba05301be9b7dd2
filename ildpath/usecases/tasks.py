"""Open care tasks across the cohort, and their calendar (RFC 5545) for coordinators."""

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from icalendar import Calendar, Event
from sqlmodel import col, select

from pathway.codes import TASKS
from pathway.errors import InvalidValue
from pathway.validation import check_choice
from persistence.tables import CareTaskRow, PatientRow

from ..bootstrap import App

__all__ = ["WORKLIST_DAYS", "DueTask", "OpenTask", "open_tasks", "tasks_calendar", "tasks_due"]


WORKLIST_DAYS = 14
"""The worklist looks this many days ahead unless asked otherwise (CLI, API, dashboard)."""

CLOSED_TASKS_KEPT_DAYS = 90
"""Closed tasks stay in the calendar this long as cancelled events, so a re-import removes
them from the coordinator's calendar instead of leaving stale ones."""


@dataclass(frozen=True)
class OpenTask:
    patient_id: str
    kind: str
    key: str
    opened_on: date
    due_on: date
    status: str = "open"
    id: int = 0
    rescheduled_to: date | None = None
    assignee: str | None = None

    @property
    def due_in_force(self) -> date:
        """The rescheduled date when a person moved it (§8), else the engine's."""
        return self.rescheduled_to or self.due_on


def open_tasks(app: App, *, closed_since: date | None = None) -> list[OpenTask]:
    """Every open task of every patient, soonest due first (and those closed since
    ``closed_since``, when given)."""
    with app.transaction() as session:
        wanted = col(CareTaskRow.status) == "open"
        if closed_since is not None:
            wanted = wanted | (col(CareTaskRow.closed_on) >= closed_since)
        rows = session.exec(
            select(PatientRow.external_id, CareTaskRow)
            .join(CareTaskRow, col(CareTaskRow.patient_id) == col(PatientRow.id))
            .where(wanted)
            .order_by(col(CareTaskRow.due_on), col(PatientRow.external_id))
        )
        found = [
            OpenTask(
                pid,
                t.kind,
                t.key,
                t.opened_on,
                t.due_on,
                t.status,
                t.id or 0,
                t.rescheduled_to,
                t.assignee,
            )
            for pid, t in rows
        ]
    return sorted(found, key=lambda t: (t.due_in_force, t.patient_id))


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


def tasks_due(
    app: App,
    start: date,
    end: date,
    *,
    kinds: tuple[str, ...] = (),
    patient_id: str | None = None,
) -> list[DueTask]:
    """Open tasks due between ``start`` and ``end``, plus every task already overdue today
    (an overdue task never drops off the worklist because its due date is in the past)."""
    if end < start:
        raise InvalidValue(
            "to", end.isoformat(), f"a date on or after the first day, from ({start})"
        )
    for kind in kinds:
        check_choice("kind", kind, tuple(TASKS))
    today = app.clock.today()
    due = []
    for task in open_tasks(app):
        in_force = task.due_in_force
        if in_force > end or (in_force < start and in_force >= today):
            continue
        if (kinds and task.kind not in kinds) or (patient_id and task.patient_id != patient_id):
            continue
        info = TASKS[task.kind]
        late = max(0, (today - in_force).days)
        due.append(
            DueTask(
                task.patient_id,
                task.kind,
                task.opened_on,
                in_force,
                late,
                info.message,
                info.source,
                task.id,
                task.due_on,
                task.rescheduled_to is not None,
                task.assignee,
            )
        )
    return due


def _uid(task: OpenTask) -> str:
    """Stable across exports, so re-importing the file updates events instead of adding."""
    digest = hashlib.sha256(f"{task.patient_id}\x1f{task.key}".encode()).hexdigest()[:32]
    return f"{digest}@ildpath"


def tasks_calendar(app: App) -> bytes:
    """One all-day event per open task, on its date in force (a rescheduled task's new date,
    §8); recently closed ones (done, cancelled, declined) as cancelled."""
    calendar = Calendar()
    calendar.add("prodid", "-//ildpath//care tasks//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "ildpath care tasks")
    stamp = app.clock.now()
    since = app.clock.today() - timedelta(days=CLOSED_TASKS_KEPT_DAYS)
    for task in open_tasks(app, closed_since=since):
        event = Event()
        event.add("status", "CONFIRMED" if task.status == "open" else "CANCELLED")
        event.add("uid", _uid(task))
        event.add("dtstamp", stamp)
        event.add("dtstart", task.due_in_force)
        event.add("dtend", task.due_in_force + timedelta(days=1))
        state = "due" if task.status == "open" else task.status
        event.add("summary", f"{task.kind} {state} - patient {task.patient_id}")
        moved = (
            f" Rescheduled from {task.due_on.isoformat()} (the engine's date)."
            if task.rescheduled_to is not None
            else ""
        )
        owner = f" Assigned to {task.assignee}." if task.assignee else ""
        event.add(
            "description",
            f"{TASKS[task.kind].message} Source: {TASKS[task.kind].source}.{moved}{owner}"
            " Decision support: the care team decides.",
        )
        event.add("categories", ["ildpath", task.kind])
        calendar.add_component(event)
    ical: bytes = calendar.to_ical()  # icalendar leaves its return type unannotated
    return ical
