"""A reminder as the notifiers see it: the least patient data that lets a coordinator act."""

from dataclasses import dataclass
from datetime import date

from .digest_content import DailyDigest

__all__ = ["Reminder"]


@dataclass(frozen=True)
class Reminder:
    """One message about one task (or one critical alert, or its withdrawal) for one channel.

    Only the patient's pseudonymous identifier, what is to be done and when: no name, no
    phenotype, no results (the minimum a coordinator needs to open the record).
    """

    key: str
    """Idempotency key: the same reminder always has the same key (receivers may dedupe)."""
    kind: str
    """``due``, ``overdue``, ``overdue-repeat-N``, ``critical_alert``, ``alert_withdrawn``
    (the critical alert an earlier notice announced was withdrawn within its recording day,
    CLINICAL_SPEC §7a) or ``digest`` (a recipient's daily digest, see ``digest``)."""
    patient_id: str
    subject: str
    """Task kind (``pft``, ``cmv_test`` ...) or alert code."""
    due_on: date | None
    """A task's due date; for ``alert_withdrawn``, the day the alert was withdrawn."""
    text: str
    severity: str = "info"
    withdrawn_by: str | None = None
    """``alert_withdrawn``: the record entry (``tr1``, ``rx12``) whose arrival showed the
    alert's cause did not hold: an opaque identifier, no clinical content."""
    recipients: tuple[str, ...] = ()
    """A task assigned to a user with an email address (CLINICAL_SPEC §8): the reminder goes
    to that address; empty, it goes to the clinic's list."""
    digest: DailyDigest | None = None
    """Kind ``digest``: the day's tasks and new alerts of one recipient (``patient_id`` is
    then empty: a digest covers many patients)."""
    days_overdue: int | None = None
    """An overdue reminder: days past the due date in force on the day it was planned (what
    it says: "overdue by 38 days"); ``None`` for the others, and for reminders planned before
    issue 21, which read as plain "overdue"."""
