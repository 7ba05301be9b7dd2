"""A reminder the planner wants in the outbox, and the key that makes it unique everywhere."""

from dataclasses import dataclass
from datetime import date

from .reminder import Reminder

__all__ = ["DISCLAIMER", "PlannedReminder", "reminder_key"]

DISCLAIMER = "Decision support: the care team decides."


@dataclass(frozen=True)
class PlannedReminder:
    reminder: Reminder
    patient_row_id: int
    task_id: int | None = None
    alert_id: int | None = None
    channels: tuple[str, ...] | None = None
    """Only these channels (a task's next reminder may differ between channels; a withdrawal
    notice follows its notice where it went); ``None``: every configured channel."""
    rescheduled_to: date | None = None
    """A task reminder: the rescheduled due date it counts from (§8), ``None`` for the
    engine's date; kept on the outbox row so the next reminder is found by its columns."""


def reminder_key(installation: str, source: str, kind: str) -> str:
    """``{installation}:task:19:overdue``: the installation id first, so two clinics' keys,
    Message-IDs and Idempotency-Keys never meet in a shared mailbox or receiver even when
    their row ids do (the channel is appended per outbox row)."""
    return f"{installation}:{source}:{kind}"
