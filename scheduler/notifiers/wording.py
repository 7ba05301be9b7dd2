"""How a reminder reads to a person: one headline, the same in the log and an email subject.

Built from the reminder's structured fields only (kind, task code, due date, patient
identifier), never from its free ``text``, so no clinical detail reaches a mailbox or a log.
"""

from ..reminder import Reminder

__all__ = [
    "DISCLAIMER",
    "headline",
    "overdue_by",
    "status",
    "task_label",
    "withdrawal_reason",
    "withdrawn_notice_key",
]

DISCLAIMER = "Decision support: the care team decides."

_LABELS = {
    "pft": "PFT",
    "hrct": "HRCT",
    "cmv_test": "CMV test",
    "pjp_prophylaxis": "PJP prophylaxis",
    "vaccination_covid19": "COVID-19 vaccination",
}


def task_label(subject: str) -> str:
    """``pft`` -> ``PFT``, ``plasma_exchange`` -> ``Plasma exchange``; alert codes unchanged."""
    if subject in _LABELS:
        return _LABELS[subject]
    if subject.isupper():
        return one_line(subject)
    return one_line(subject.replace("_", " ")).capitalize()


def overdue_by(days: int) -> str:
    """``1 day``, ``38 days``."""
    return "1 day" if days == 1 else f"{days} days"


def status(reminder: Reminder) -> str:
    """Where a task stands, as its reminder says it: ``OVERDUE by 38 days (reminder 3)``,
    ``OVERDUE`` for a reminder planned before the days were counted, ``due`` before."""
    if not reminder.kind.startswith("overdue"):
        return "due"
    tag = "OVERDUE"
    if reminder.days_overdue is not None:
        tag += f" by {overdue_by(reminder.days_overdue)}"
    repeat = reminder.kind.removeprefix("overdue").removeprefix("-repeat-")
    return f"{tag} (reminder {one_line(repeat)})" if repeat else tag


def headline(reminder: Reminder) -> str:
    """``PFT due 2026-04-05 — patient PUB-001``, ``OVERDUE by 38 days: PFT was due
    2026-01-02 — patient PUB-001``, ``CRITICAL alert …``, ``WITHDRAWN …``, ``Daily digest
    for 2026-12-06: 3 overdue, 2 due``."""
    if reminder.digest is not None:
        return reminder.digest.summary()
    patient = f"patient {one_line(reminder.patient_id)}"
    label = task_label(reminder.subject)
    due = reminder.due_on.isoformat() if reminder.due_on else None
    if reminder.kind == "alert_withdrawn":
        when = f" on {due}" if due else ""
        return f"WITHDRAWN{when}: CRITICAL alert {label} — {patient}"
    if reminder.kind == "critical_alert":
        when = f" on {due}" if due else ""
        return f"CRITICAL alert {label}{when} — {patient}"
    if reminder.kind.startswith("overdue"):
        return f"{status(reminder)}: {label} was due {due or 'earlier'} — {patient}"
    return f"{label} due {due or 'now'} — {patient}"


def withdrawal_reason(reminder: Reminder) -> str:
    """Why an alert was withdrawn (CLINICAL_SPEC §7a), naming the entry that showed it."""
    entry = one_line(reminder.withdrawn_by) if reminder.withdrawn_by else "a same-day entry"
    return f"withdrawn: the same day's entries show its cause did not hold — entry {entry}"


def withdrawn_notice_key(key: str) -> str:
    """The key of the critical-alert notice a withdrawal notice withdraws (same alert, same
    channel, same installation): ``3f9c…:alert:7:alert_withdrawn:email`` ->
    ``3f9c…:alert:7:critical_alert:email``."""
    return key.replace(":alert_withdrawn", ":critical_alert", 1)


def one_line(value: str) -> str:
    """Collapse line breaks and runs of whitespace: a field must not forge a log line or a
    mail header."""
    return " ".join(value.split())
