"""Open care tasks across the cohort, and their calendar (RFC 5545) for coordinators."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select

from persistence.tables import CareTaskRow, PatientRow

from ..bootstrap import App
from .listings import Listing, log_listing
from .task_calendar import Listed, calendar_of, change_counts, task_rows

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


def tasks_calendar(app: App, listing: Listing | None = None) -> bytes:
    """One all-day event per open task, on its date in force (a rescheduled task's new date,
    §8), at its version (`task_calendar`). Open tasks only: a download is a snapshot to
    import, and a closed task in it would only clutter the calendar (issue 18: 458 of 645
    events were done tasks); a subscription (`calendar_feed`) carries the cancellations.
    Logged as ``listing`` (the patients of its events) when given."""
    stamp = app.clock.now()
    with app.transaction() as session:
        listed = [Listed(task) for task in task_rows(session, col(CareTaskRow.status) == "open")]
        changes = change_counts(session, (item.task for item in listed))
    if listing is not None:
        log_listing(app, listing, (item.task.patient_id for item in listed))
    return calendar_of("ildpath care tasks", listed, changes, stamp)
