"""Which reminders are due on a day (issue 3): a task's `due` reminder on its due date, its
`overdue` reminder the day after, then a repeat every ``cadence_days`` while it stays open; an
urgent notice for every critical alert. Missed days are not lost: anything due by ``day`` and
not yet planned is planned now."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, select

from persistence.tables import AlertRow, CareTaskRow, PatientRow

from .reminder import Reminder

__all__ = ["PlannedReminder", "due_reminders"]

DISCLAIMER = "Decision support: the care team decides."


@dataclass(frozen=True)
class PlannedReminder:
    reminder: Reminder
    patient_row_id: int
    task_id: int | None = None
    alert_id: int | None = None


def _task_kinds(task: CareTaskRow, day: date, cadence_days: int) -> Iterator[str]:
    if task.due_on <= day:
        yield "due"
    late = (day - task.due_on).days
    if late >= 1:
        yield "overdue"
    if cadence_days > 0:
        for repeat in range(1, (late - 1) // cadence_days + 1 if late > 1 else 1):
            yield f"overdue-repeat-{repeat}"


def _task_text(kind: str, task: CareTaskRow, patient_id: str) -> str:
    state = "due" if kind == "due" else "OVERDUE"
    return (
        f"Patient {patient_id}: {task.kind} {state} (due {task.due_on.isoformat()}). {DISCLAIMER}"
    )


def due_reminders(session: Session, day: date, cadence_days: int) -> Iterator[PlannedReminder]:
    """Every reminder that should have gone out by ``day`` (planning is idempotent)."""
    tasks = session.exec(
        select(CareTaskRow, PatientRow.external_id)
        .join(PatientRow, col(PatientRow.id) == col(CareTaskRow.patient_id))
        .where(CareTaskRow.status == "open", col(CareTaskRow.due_on) <= day)
        .order_by(col(CareTaskRow.due_on), col(CareTaskRow.id))
    )
    for task, patient_id in tasks:
        for kind in _task_kinds(task, day, cadence_days):
            yield PlannedReminder(
                Reminder(
                    f"task:{task.id}:{kind}",
                    kind,
                    patient_id,
                    task.kind,
                    task.due_on,
                    _task_text(kind, task, patient_id),
                ),
                task.patient_id,
                task_id=task.id,
            )
    alerts = session.exec(
        select(AlertRow, PatientRow.external_id)
        .join(PatientRow, col(PatientRow.id) == col(AlertRow.patient_id))
        .where(
            AlertRow.severity == "critical",
            col(AlertRow.raised_on) <= day,
            col(AlertRow.raised_on) >= day - timedelta(days=365),
        )
        .order_by(col(AlertRow.id))
    )
    for alert, patient_id in alerts:
        text = (
            f"Patient {patient_id}: CRITICAL alert {alert.code} raised "
            f"{alert.raised_on.isoformat()}. {DISCLAIMER}"
        )
        yield PlannedReminder(
            Reminder(
                f"alert:{alert.id}:critical_alert",
                "critical_alert",
                patient_id,
                alert.code,
                None,
                text,
                "critical",
            ),
            alert.patient_id,
            alert_id=alert.id,
        )
