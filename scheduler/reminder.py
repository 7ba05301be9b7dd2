"""A reminder as the notifiers see it: the least patient data that lets a coordinator act."""

from dataclasses import dataclass
from datetime import date

__all__ = ["Reminder"]


@dataclass(frozen=True)
class Reminder:
    """One message about one task (or one critical alert) for one channel.

    Only the patient's pseudonymous identifier, what is to be done and when: no name, no
    phenotype, no results (the minimum a coordinator needs to open the record).
    """

    key: str
    """Idempotency key: the same reminder always has the same key (receivers may dedupe)."""
    kind: str
    """``due``, ``overdue``, ``overdue-repeat-N`` or ``critical_alert``."""
    patient_id: str
    subject: str
    """Task kind (``pft``, ``cmv_test`` ...) or alert code."""
    due_on: date | None
    text: str
    severity: str = "info"
