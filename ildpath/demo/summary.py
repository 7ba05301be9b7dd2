"""What a demo build reports: patients, entries, days, states, open work, time."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func
from sqlmodel import col, select

from pathway.machine import STATES
from persistence.tables import AlertRow, CareTaskRow, PatientRow

from ..bootstrap import App

__all__ = ["DemoSummary", "OpenWork", "open_work", "states_count"]


@dataclass(frozen=True)
class DemoSummary:
    patients: int
    events: int
    """Entries applied through the use cases (enrolments, records, triggers, acknowledgements)."""
    days: int
    """Clinic days simulated, from the first enrolment to the end, inclusive."""
    states: dict[str, int] = field(default_factory=dict)
    """Patients by pathway state at the end, every state listed (0 when empty)."""
    open_tasks: int = 0
    overdue_tasks: int = 0
    """Open tasks past their due date on the last day."""
    unacknowledged_critical: int = 0
    """Critical alerts not acknowledged and not withdrawn (§7a), of patients not closed."""
    seconds: float = 0.0


def states_count(app: App) -> dict[str, int]:
    with app.transaction() as session:
        rows = session.exec(select(PatientRow.state, func.count()).group_by(PatientRow.state)).all()
    found = dict(rows)
    return {state: int(found.get(state, 0)) for state in STATES}


@dataclass(frozen=True)
class OpenWork:
    open_tasks: int
    overdue_tasks: int
    unacknowledged_critical: int


def open_work(app: App, today: date) -> OpenWork:
    """What is left for the care team on ``today``: open and overdue tasks, critical alerts
    still to acknowledge (patients not closed; withdrawn alerts count nowhere, §7a)."""
    with app.transaction() as session:
        due = list(
            session.exec(select(col(CareTaskRow.due_on)).where(CareTaskRow.status == "open"))
        )
        critical = session.exec(
            select(func.count())
            .select_from(AlertRow)
            .join(PatientRow, col(PatientRow.id) == col(AlertRow.patient_id))
            .where(
                AlertRow.severity == "critical",
                col(AlertRow.acknowledged_at).is_(None),
                AlertRow.status != "withdrawn",
                PatientRow.state != "closed",
            )
        ).one()
    return OpenWork(len(due), sum(1 for due_on in due if due_on < today), int(critical))
