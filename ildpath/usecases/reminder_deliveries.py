"""Reminder deliveries a person must see and may re-queue: `ildpath reminders` and the
dashboard's "Reminder deliveries" page, over `scheduler.failing`.

The role is checked at the edge (coordinators and the administrator: `Permission.
MANAGE_REMINDERS`); a re-queue is logged with who asked, so a reminder sent twice over a
weekend can be traced to the person who sent it again.
"""

import logging
from collections.abc import Sequence

from pathway.labels import label
from persistence.changes import Actor
from persistence.sql_store import SqlStore
from scheduler.failing import (
    DeliveryView,
    count_failing,
    deliveries,
    requeue,
    requeue_all_failing,
)

from ..bootstrap import App

__all__ = ["DeliveryView", "failing_count", "list_deliveries", "retry_deliveries", "what"]

log = logging.getLogger("ildpath.scheduler")


def list_deliveries(app: App, *, failing: bool = True, waiting: bool = False) -> list[DeliveryView]:
    """Failing deliveries (``failing``), every pending one (``waiting``), or both."""
    with app.engine.connect() as connection:
        return deliveries(connection, failing=failing, waiting=waiting)


def failing_count(app: App) -> int:
    """How many deliveries are failing (0 where there is no outbox: the in-memory store)."""
    if not isinstance(app.store, SqlStore):
        return 0
    with app.engine.connect() as connection:
        return count_failing(connection)


def retry_deliveries(
    app: App, keys: Sequence[str], actor: Actor, *, all_failing: bool = False
) -> list[DeliveryView]:
    """Re-queue the deliveries with these ``keys`` (or every failing one): due at the next
    dispatch pass, with a fresh age. An unknown or settled key refuses them all
    (`pathway.errors.InvalidValue`), writing nothing."""
    with app.engine.begin() as connection:
        if all_failing:
            done = requeue_all_failing(connection, app.clock.now())
        else:
            done = requeue(connection, keys, app.clock.now())
    if done:
        log.info(
            "%s (%s) re-queued %d reminder deliveries: %s",
            actor.name,
            actor.role,
            len(done),
            ", ".join(view.key for view in done[:20]) + (" ..." if len(done) > 20 else ""),
        )
    return done


def what(view: DeliveryView) -> str:
    """What the reminder was about, in words: ``PFT overdue (reminder 2)``, ``Critical alert:
    Agent to avoid in anti-MDA5``."""
    if view.kind == "critical_alert":
        return f"Critical alert: {label(view.subject, 'alert')}"
    if view.kind == "alert_withdrawn":
        return f"Critical alert withdrawn: {label(view.subject, 'alert')}"
    task = label(view.subject, "task")
    if view.kind == "due":
        return f"{task} due"
    if view.kind == "overdue":
        return f"{task} overdue"
    if view.kind.startswith("overdue-repeat-"):
        return f"{task} overdue (reminder {view.kind.removeprefix('overdue-repeat-')})"
    return f"{label(view.subject)} ({view.kind})"
