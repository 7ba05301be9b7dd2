"""Pending deliveries that must no longer go out, settled at the start of every delivery pass.

A reminder retried for days must stop when it stops being true: its task was closed (done,
declined, cancelled) so nobody should be told to do it; its critical alert was acknowledged
so somebody already knows; or it has failed past the age limit (`scheduler.retry`) and the
worklist now says it better. None of these is ever sent later; each keeps a ``last_error``
saying why, for the failing-deliveries view. A task reminder that a newer one of the same
task and channel stands for is superseded: the planner never makes two at a time, but an outbox
written by a release before issue 21 holds a task's whole backlog (`due`, `overdue`, every
repeat) pending, and after an upgrade only its newest should go out. A critical notice is
the exception to the age limit: it keeps trying while its alert stands unacknowledged,
however long the channel is down. (A withdrawn alert's notice is settled by
`scheduler.outbox.drop_withdrawn`, §7a.)

Four set-based UPDATEs over the pending rows: the outbox is walked one row at a time after
this, and a per-row check of the task or alert would cost a query per delivery.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Update, bindparam, exists, func, literal, select, update

from persistence.tables import AlertRow, CareTaskRow, ReminderDeliveryRow

__all__ = ["CRITICAL", "Settled", "settle_pending"]

CRITICAL = "critical_alert"
"""The reminder kind of a critical alert's notice: exempt from the age limit."""

_outbox = ReminderDeliveryRow.__table__  # type: ignore[attr-defined]
_task = CareTaskRow.__table__  # type: ignore[attr-defined]
_alert = AlertRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Settled:
    cancelled: int
    expired: int


_task_status = select(_task.c.status).where(_task.c.id == _outbox.c.task_id).scalar_subquery()
_task_closed = (
    update(_outbox)
    .where(
        _outbox.c.status == "pending",
        _outbox.c.task_id.is_not(None),
        exists().where(_task.c.id == _outbox.c.task_id, _task.c.status != "open"),
    )
    .values(
        status="cancelled",
        last_error=literal("not sent: its task was closed (") + _task_status + ") first",
        next_attempt_at=None,
    )
)
_backlogs = (
    select(_outbox.c.task_id, _outbox.c.channel, func.max(_outbox.c.id), func.count())
    .where(_outbox.c.status == "pending", _outbox.c.task_id.is_not(None))
    .group_by(_outbox.c.task_id, _outbox.c.channel)
    .having(func.count() > 1)
)
"""Tasks with more than one pending reminder on a channel: one grouped scan of the pending
rows, which finds none outside an upgrade (a correlated check per row costs a scan per row
on SQLite, 16 s at 10,000 due reminders)."""
_superseded = (
    update(_outbox)
    .where(
        _outbox.c.status == "pending",
        _outbox.c.task_id == bindparam("task"),
        _outbox.c.channel == bindparam("on"),
        _outbox.c.id < bindparam("newest"),
    )
    .values(
        status="cancelled",
        last_error="not sent: a newer reminder of its task stands for it",
        next_attempt_at=None,
    )
)


def _supersede(connection: Connection) -> int:
    """Cancel every pending task reminder but the newest of its task and channel."""
    backlogs = connection.execute(_backlogs).all()
    if not backlogs:
        return 0
    older = [{"task": task, "on": on, "newest": newest} for task, on, newest, _ in backlogs]
    connection.execute(_superseded, older)
    return sum(count - 1 for *_, count in backlogs)


_alert_acknowledged = (
    update(_outbox)
    .where(
        _outbox.c.status == "pending",
        _outbox.c.kind == CRITICAL,
        exists().where(_alert.c.id == _outbox.c.alert_id, _alert.c.acknowledged_at.is_not(None)),
    )
    .values(
        status="cancelled",
        last_error="not sent: its alert was acknowledged first",
        next_attempt_at=None,
    )
)


def _expire(cutoff: datetime, days: str) -> Update:
    return (
        update(_outbox)
        .where(
            _outbox.c.status == "pending",
            _outbox.c.kind != CRITICAL,
            func.coalesce(_outbox.c.requeued_at, _outbox.c.created_at) < cutoff,
        )
        .values(
            status="expired",
            last_error=literal(f"not sent within {days} (the age limit); last error: ")
            + func.coalesce(_outbox.c.last_error, "never tried (is its channel configured?)"),
            next_attempt_at=None,
        )
    )


def settle_pending(connection: Connection, now: datetime, max_age: timedelta) -> Settled:
    """Cancel the pending deliveries of closed tasks, acknowledged alerts and superseded task
    reminders, and expire the non-critical ones older than ``max_age`` (counted from a
    person's re-queue, if any)."""
    options = {"preserve_rowcount": True}
    cancelled = connection.execute(_task_closed, execution_options=options).rowcount
    cancelled += _supersede(connection)
    cancelled += connection.execute(_alert_acknowledged, execution_options=options).rowcount
    expire = _expire(now - max_age, _age_words(max_age))
    expired = connection.execute(expire, execution_options=options).rowcount
    return Settled(cancelled, expired)


def _age_words(max_age: timedelta) -> str:
    """``7 days``; ``36 hours`` when the limit is not whole days."""
    if max_age % timedelta(days=1) == timedelta(0):
        days = max_age.days
        return f"{days} day{'s' if days != 1 else ''}"
    hours = max_age.total_seconds() / 3600
    return f"{hours:g} hours"
