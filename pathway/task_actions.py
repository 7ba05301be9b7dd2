"""The checks a person's action on a care task must pass before it is written (CLINICAL_SPEC
§8 "Acting on a task"); each refusal names the field and what is allowed, and nothing is
written. What the actions do to the tasks is `pathway.rules.tasks.actions`.
"""

from datetime import date, timedelta

from .definition import PathwayDefinition
from .errors import InvalidValue
from .findings import CareTask
from .rules.tasks.actions import DECLINABLE
from .validation import check_text

__all__ = ["DECLINABLE", "check_declinable", "check_open", "check_reason", "check_reschedule"]


def check_open(task: CareTask | None, task_id: str, day: date) -> CareTask:
    """The task, refused if unknown or no longer open on ``day`` (done, cancelled,
    declined): only an open task can be acted on."""
    if task is None:
        raise InvalidValue("task", task_id, "the id of one of the patient's tasks (e.g. task12)")
    if not task.is_open(day):
        since = f" since {task.closed_on.isoformat()}" if task.closed_on else ""
        raise InvalidValue(
            "task",
            task_id,
            f"an open task; this {task.kind} task is {task.status.value}{since} and cannot be "
            "acted on",
        )
    return task


def check_reason(reason: object) -> str:
    """A decline's or a reschedule's reason: required text, checked as all free text is."""
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidValue(
            "reason",
            reason,
            "a non-empty text saying why (e.g. declined by the patient, contraindicated, "
            "given elsewhere with no date known)",
        )
    return check_text("reason", reason).strip()


def check_declinable(task: CareTask) -> None:
    """§8: only vaccinations, pulmonary rehabilitation, bone protection and PJP prophylaxis
    may be declined."""
    if task.kind not in DECLINABLE:
        raise InvalidValue(
            "task",
            task.kind,
            "a task of a kind that may be declined: "
            + ", ".join(DECLINABLE)
            + f"; a {task.kind} task may be rescheduled, or closed by recording what closes it",
        )


def check_reschedule(new_due: object, today: date, definition: PathwayDefinition) -> date:
    """The new due date: a date from today (configurable) to at most the configured number
    of days ahead (default 365)."""
    earliest = today + timedelta(days=definition.reschedule_min_days_ahead)
    latest = today + timedelta(days=definition.reschedule_max_days_ahead)
    allowed = f"a date from {earliest.isoformat()} to {latest.isoformat()}"
    if not isinstance(new_due, date):
        raise InvalidValue("due", new_due, allowed + " (YYYY-MM-DD)")
    if not earliest <= new_due <= latest:
        raise InvalidValue("due", new_due.isoformat(), allowed)
    return new_due
