"""A task's next reminder on one channel, from the newest one it got there (issue 21).

A clinic that turns a channel on for a cohort with two years of history, or a scheduler back
after weeks down, must not receive every reminder it would have got day by day: a coordinator
wants to hear once that a PFT is overdue by 38 days, not 108 times. So a task gets at most one
reminder per channel at a time, saying where it stands now, and the next waits until the
previous one was delivered (or given up) and the cadence has passed since then. Missed days
are never caught up.

Pure: the planner reads the history from the outbox and asks here what comes next.
"""

from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["DUE", "OVERDUE", "REPEAT", "LastReminder", "days_overdue", "next_kind", "repeat_of"]

DUE = "due"
OVERDUE = "overdue"
REPEAT = "overdue-repeat-"
"""``overdue-repeat-N``: the N-th reminder after the first overdue one."""


@dataclass(frozen=True)
class LastReminder:
    """The newest reminder a task got on a channel for its date in force."""

    kind: str
    settled_on: date | None
    """The clinic day it was delivered (or given up on); ``None`` while it is still pending."""


def repeat_of(kind: str) -> int:
    """How many overdue repeats ``kind`` completes: ``overdue`` 0, ``overdue-repeat-3`` 3."""
    number = kind.removeprefix(REPEAT)
    return int(number) if kind.startswith(REPEAT) and number.isdigit() else 0


def next_kind(due_on: date, day: date, cadence_days: int, last: LastReminder | None) -> str | None:
    """The reminder to plan on ``day`` for a task due ``due_on`` (its date in force), or
    ``None``.

    - none yet: ``due`` on the due date, ``overdue`` any later day (however late);
    - the last one still pending: nothing (one in flight at a time per channel);
    - after ``due``: ``overdue`` from the day after both the due date and the day the ``due``
      reminder was delivered (never two on one day);
    - after an overdue one: ``overdue-repeat-N`` once ``cadence_days`` have passed since it
      was delivered (``cadence_days`` 0: no repeats).
    """
    if day < due_on:
        return None
    if last is None:
        return DUE if day == due_on else OVERDUE
    if last.settled_on is None:
        return None
    if last.kind == DUE:
        return OVERDUE if day > max(due_on, last.settled_on) else None
    if cadence_days <= 0 or day < last.settled_on + timedelta(days=cadence_days):
        return None
    return f"{REPEAT}{repeat_of(last.kind) + 1}"


def days_overdue(kind: str, due_on: date, day: date) -> int | None:
    """Days past the due date in force for an overdue kind (what the message says), else
    ``None``."""
    return (day - due_on).days if kind != DUE else None
