"""Open care tasks across the cohort, and their calendar (RFC 5545) for coordinators."""

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from icalendar import Calendar, Event
from sqlmodel import col, select

from pathway.codes import TASKS
from persistence.tables import CareTaskRow, PatientRow

from ..bootstrap import App

__all__ = ["OpenTask", "open_tasks", "tasks_calendar"]


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


def open_tasks(app: App) -> list[OpenTask]:
    """Every open task of every patient, soonest due first."""
    with app.transaction() as session:
        wanted = col(CareTaskRow.status) == "open"
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


def _uid(task: OpenTask) -> str:
    """Stable across exports, so re-importing the file updates events instead of adding."""
    digest = hashlib.sha256(f"{task.patient_id}\x1f{task.key}".encode()).hexdigest()[:32]
    return f"{digest}@ildpath"


def tasks_calendar(app: App) -> bytes:
    """One all-day event per open task, on its date in force (a rescheduled task's new date,
    §8). Open tasks only: a download is a snapshot to import, and a closed task in it would
    only clutter the calendar (issue 18: 458 of 645 events were done tasks)."""
    calendar = Calendar()
    calendar.add("prodid", "-//ildpath//care tasks//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "ildpath care tasks")
    stamp = app.clock.now()
    for task in open_tasks(app):
        event = Event()
        event.add("status", "CONFIRMED")
        event.add("uid", _uid(task))
        event.add("dtstamp", stamp)
        event.add("dtstart", task.due_in_force)
        event.add("dtend", task.due_in_force + timedelta(days=1))
        event.add("summary", f"{task.kind} due - patient {task.patient_id}")
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
