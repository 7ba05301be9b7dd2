"""When a failing delivery is tried again, and how long it may keep failing.

A receiver down for an afternoon, or a mail server in maintenance overnight, must not cost a
reminder: a retryable failure keeps the delivery pending and tries it again after a wait that
doubles with each failure (``first_seconds``, then twice that...), capped at ``max_seconds`` so
an endpoint back after a long outage hears from us within that cap. A reminder still failing
``max_age`` after it was planned (or re-queued by a person) is given up as ``expired``, shown
with the failures: by then the task's next reminder, or the worklist, says it better. A
critical notice never expires while its alert stands unacknowledged (`scheduler.stops`).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["RetryPolicy"]

_LONGEST_DOUBLING = 40
"""2**40 first waits is far past any cap: the exponent stops growing there."""


@dataclass(frozen=True)
class RetryPolicy:
    first_seconds: float = 300
    """The wait after the first failure."""
    max_seconds: float = 21_600
    """The longest wait between two attempts (6 hours)."""
    max_age: timedelta = timedelta(days=7)
    """A delivery still not sent this long after it was planned (or re-queued) expires."""

    def __post_init__(self) -> None:
        if self.first_seconds <= 0 or self.max_seconds <= 0:
            raise ValueError("retry policy: the waits must be above 0 seconds")
        if self.max_age <= timedelta(0):
            raise ValueError("retry policy: the age limit must be above 0")

    def wait_after(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failed attempt (1 for the first):
        min(first * 2**(attempts - 1), max)."""
        doublings = min(max(attempts - 1, 0), _LONGEST_DOUBLING)
        return timedelta(seconds=min(self.first_seconds * 2**doublings, self.max_seconds))

    def next_attempt(self, attempts: int, failed_at: datetime) -> datetime:
        return failed_at + self.wait_after(attempts)
