"""What a write use case did, read in its own transaction: the edges (CLI, API, dashboard)
show it as it is, and never look again to find out."""

from dataclasses import dataclass
from datetime import date

from persistence.tables import AlertRow

__all__ = ["AlertMoved", "Outcome", "TaskMoved"]


@dataclass(frozen=True)
class TaskMoved:
    """A care task the write opened, or closed (done or cancelled)."""

    id: int
    kind: str
    due_on: date
    status: str


@dataclass(frozen=True)
class AlertMoved:
    """An alert raised earlier that the write withdrew (``by`` the same-day entry, §7a) or
    cleared (``on`` the day its clearing condition was met, ``by`` the entry if one did it)."""

    id: int
    code: str
    by: str | None
    on: date | None = None


@dataclass(frozen=True)
class Outcome:
    """One write's result: the patient's new version (the API's ETag) and state, the entry
    written (its row id), the alerts it raised, withdrew or cleared, and the tasks it opened
    or closed."""

    patient_id: str
    version: int
    state: str
    entry_id: int | None = None
    alerts_raised: tuple[AlertRow, ...] = ()
    tasks_opened: tuple[TaskMoved, ...] = ()
    tasks_closed: tuple[TaskMoved, ...] = ()
    alerts_withdrawn: tuple[AlertMoved, ...] = ()
    alerts_cleared: tuple[AlertMoved, ...] = ()
    entry_ids: tuple[int, ...] = ()
    """Every entry the write recorded, in order (a ``lab`` event with several analytes is
    one observation each); ``entry_id`` is the last of them."""
