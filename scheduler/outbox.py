"""The delivery outbox: one row per reminder and channel, planned once, sent once.

Planning inserts with ON CONFLICT DO NOTHING on the unique key, so two schedulers (or a
restart) never plan a reminder twice. Sending claims a batch of rows (an advisory lock per row
on PostgreSQL; SQLite runs one scheduler) and commits each `sent` mark on its own, right after
the channel accepted that reminder. A process killed between those two moments leaves the row
pending and sends it again at restart with the same key, which the receiver uses to drop the
duplicate (Message-ID / Idempotency-Key): delivery is at-least-once, observed exactly once.

A delivery that fails retryably stays pending with ``next_attempt_at`` set by the retry
policy (`scheduler.retry`); `pending` reads one channel's rows that are due, so each channel
(each webhook endpoint) is walked on its own, by its own worker (`scheduler.dispatcher`).

Everything here is Core SQL on plain columns and prebuilt statements: the outbox is walked row
by row, and an ORM session, a row lock and a transaction per row would cost several times the
one committed statement per delivery that the guarantee above needs.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    Integer,
    Select,
    bindparam,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from persistence.tables import AlertRow, ReminderDeliveryRow

from .planned import PlannedReminder

__all__ = [
    "URGENT_KINDS",
    "Delivery",
    "claim",
    "drop_withdrawn",
    "mark_failed",
    "mark_retry",
    "mark_sent",
    "pending",
    "plan",
    "release",
]

_outbox = ReminderDeliveryRow.__table__  # type: ignore[attr-defined]
_alert = AlertRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Delivery:
    """A pending outbox row as read before it is claimed."""

    id: int
    key: str
    channel: str
    kind: str
    message: dict[str, Any]


def _channels(planned: PlannedReminder, configured: list[str]) -> list[str]:
    """The configured channels this reminder goes to (a withdrawal notice: those that carried
    the notice it withdraws)."""
    if planned.channels is None:
        return configured
    return [c for c in configured if c in planned.channels]


def _row(planned: PlannedReminder, channel: str, day: date, now: datetime) -> dict[str, Any]:
    key = f"{planned.reminder.key}:{channel}"
    return {
        "key": key,
        "patient_id": planned.patient_row_id,
        "task_id": planned.task_id,
        "alert_id": planned.alert_id,
        "channel": channel,
        "kind": planned.reminder.kind,
        "rescheduled_to": planned.rescheduled_to,
        "status": "pending",
        "attempts": 0,
        "message": {
            "key": key,
            "kind": planned.reminder.kind,
            "patient_id": planned.reminder.patient_id,
            "subject": planned.reminder.subject,
            "due_on": planned.reminder.due_on.isoformat() if planned.reminder.due_on else None,
            "text": planned.reminder.text,
            "severity": planned.reminder.severity,
            "withdrawn_by": planned.reminder.withdrawn_by,
            "to": list(planned.reminder.recipients),
            "days_overdue": planned.reminder.days_overdue,
        },
        "planned_on": day,
        "created_at": now,
    }


def plan(
    session: Session,
    planned: Iterable[PlannedReminder],
    channels: Iterable[str],
    day: date,
    now: datetime,
) -> int:
    """Insert the planned reminders; returns how many are new. The planner offers only what
    the outbox's history says is missing; two schedulers planning at once offer the same
    keys (each is derived from that history), and ON CONFLICT DO NOTHING keeps one.

    One executemany of a single INSERT ... ON CONFLICT DO NOTHING (the driver batches it),
    with the rowcount preserved: exact on both databases (a multi-VALUES statement counts -1
    per chunk on psycopg), and cheaper than RETURNING the new rows."""
    channels = list(channels)
    rows = [_row(p, channel, day, now) for p in planned for channel in _channels(p, channels)]
    if not rows:
        return 0
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(_outbox).on_conflict_do_nothing(index_elements=["key"])
    result = session.execute(statement, rows, execution_options={"preserve_rowcount": True})
    return result.rowcount  # type: ignore[attr-defined,no-any-return]


_withdrawn_alerts = select(_alert.c.id).where(_alert.c.status == "withdrawn")
_drop_withdrawn = (
    update(_outbox)
    .where(
        _outbox.c.status == "pending",
        _outbox.c.kind == "critical_alert",
        _outbox.c.alert_id.in_(_withdrawn_alerts),
    )
    .values(status="withdrawn", last_error="not sent: the alert was withdrawn (§7a)")
)


def drop_withdrawn(session: Session) -> int:
    """Mark ``withdrawn`` every pending notice of an alert withdrawn since it was planned: it
    is never sent (CLINICAL_SPEC §7a). Returns how many."""
    result = session.execute(_drop_withdrawn, execution_options={"preserve_rowcount": True})
    return result.rowcount  # type: ignore[attr-defined,no-any-return]


URGENT_KINDS = ("critical_alert", "alert_withdrawn")
"""Sent before the rest of a channel's backlog: a critical notice must not wait behind
thousands of overdue-task reminders, nor behind the one probe a down endpoint gets a pass."""


def _pending_of(urgent: bool) -> Select[Any]:
    kinds: list[ColumnElement[Any]] = [literal_column(f"'{kind}'") for kind in URGENT_KINDS]
    kind = _outbox.c.kind.in_(kinds) if urgent else _outbox.c.kind.not_in(kinds)
    return (
        select(_outbox.c.id, _outbox.c.key, _outbox.c.channel, _outbox.c.kind, _outbox.c.message)
        .where(
            # a literal, not a parameter, so SQLite sees the partial index's condition holds
            _outbox.c.status == literal_column("'pending'"),
            _outbox.c.channel == bindparam("channel"),
            _outbox.c.id > bindparam("after_id"),
            or_(
                _outbox.c.next_attempt_at.is_(None),
                _outbox.c.next_attempt_at <= bindparam("now"),
            ),
            kind,
        )
        .order_by(_outbox.c.id)
        .limit(bindparam("limit"))
    )


_pending = {True: _pending_of(True), False: _pending_of(False)}


def pending(
    connection: Connection,
    channel: str,
    after_id: int,
    now: datetime,
    *,
    urgent: bool = False,
    limit: int = 500,
) -> list[Delivery]:
    """The next ``limit`` pending deliveries of ``channel`` after ``after_id`` that are due at
    ``now`` (never tried, or their backoff is over): the urgent kinds (critical notices and
    their withdrawals) or the others. Read without a lock (`claim` them before sending)."""
    values = {"channel": channel, "after_id": after_id, "now": now, "limit": limit}
    return [Delivery(*row) for row in connection.execute(_pending[urgent], values)]


_LOCK_NAMESPACE = 0x0D15
"""First key of the two-key advisory locks held on deliveries (the second is the row id); the
leadership lock uses the one-key form, a separate key space."""
_lock = text(
    "SELECT id FROM unnest(CAST(:ids AS integer[])) AS id"
    " WHERE pg_try_advisory_lock(CAST(:ns AS integer), id)"
).bindparams(bindparam("ids", type_=ARRAY(Integer)))
_unlock = text(
    "SELECT pg_advisory_unlock(CAST(:ns AS integer), id) FROM unnest(CAST(:ids AS integer[])) AS id"
).bindparams(bindparam("ids", type_=ARRAY(Integer)))
_attempts = select(_outbox.c.id, _outbox.c.attempts).where(
    _outbox.c.id.in_(bindparam("ids", expanding=True)), _outbox.c.status == "pending"
)
_mark = update(_outbox).where(_outbox.c.id == bindparam("delivery_id"))
_mark_sent = _mark.values(
    status="sent",
    attempts=bindparam("tries"),
    sent_at=bindparam("at"),
    last_attempt_at=bindparam("at"),
)
_mark_retry = _mark.values(
    status="pending",
    attempts=bindparam("tries"),
    last_error=bindparam("error"),
    last_attempt_at=bindparam("at"),
    next_attempt_at=bindparam("next_at"),
)
_mark_failed = _mark.values(
    status="failed",
    attempts=bindparam("tries"),
    last_error=bindparam("error"),
    last_attempt_at=bindparam("at"),
    next_attempt_at=None,
)
"""Built once: the marks run once per delivery, and building a statement costs as much as
executing it."""


def claim(connection: Connection, deliveries: Sequence[Delivery]) -> dict[int, int]:
    """Claim what is still pending of ``deliveries`` for this connection's session; returns
    attempts so far by delivery id. Another scheduler skips what this one holds, and this one
    skips what another holds or has sent meanwhile.

    On PostgreSQL the claim is a session advisory lock per row, not a row lock: a row lock
    ends with the transaction, and each delivery must commit its own `sent` mark (so a crash
    re-sends only the one in flight). The status is read again after locking, in a new
    statement, so a row another scheduler marked sent and released just before is seen as
    sent. Release with `release` (or drop the connection: the locks go with its session).
    SQLite has no such locks: one scheduler runs there (scheduler.leadership)."""
    ids = [d.id for d in deliveries]
    if connection.dialect.name == "postgresql":
        ids = list(connection.execute(_lock, {"ids": ids, "ns": _LOCK_NAMESPACE}).scalars())
    if not ids:
        return {}
    return {row.id: row.attempts for row in connection.execute(_attempts, {"ids": ids})}


def release(connection: Connection, delivery_ids: Iterable[int]) -> None:
    """Give back what `claim` took."""
    ids = list(delivery_ids)
    if ids and connection.dialect.name == "postgresql":
        connection.execute(_unlock, {"ids": ids, "ns": _LOCK_NAMESPACE}).all()


def mark_sent(connection: Connection, delivery_id: int, attempts: int, at: datetime) -> None:
    """Record the send; on an autocommit connection (the dispatcher's) it is durable when this
    returns, so a crash from here on does not send it again."""
    connection.execute(_mark_sent, {"delivery_id": delivery_id, "tries": attempts, "at": at})


def mark_retry(
    connection: Connection,
    delivery_id: int,
    attempts: int,
    error: str,
    at: datetime,
    next_at: datetime,
) -> None:
    """Record a failed attempt that may succeed later: the delivery stays pending, due again
    at ``next_at``."""
    values = {"delivery_id": delivery_id, "tries": attempts, "error": error, "at": at}
    connection.execute(_mark_retry, {**values, "next_at": next_at})


def mark_failed(
    connection: Connection, delivery_id: int, attempts: int, error: str, at: datetime
) -> None:
    """Record a failure a person must fix first (a refused password, an HTTP 400): no more
    attempts until someone re-queues it (`scheduler.failing.requeue`)."""
    connection.execute(
        _mark_failed, {"delivery_id": delivery_id, "tries": attempts, "error": error, "at": at}
    )
