"""The deliveries people must see, and putting them back in the queue.

A reminder that cannot be delivered is of no use to anybody unless someone notices: the
coordinators and the administrator see every failing delivery with its last error (a refused
password, an endpoint answering 500 for hours), fix the cause, and re-queue what failed.

*Failing* means: ``failed`` (a person must fix something before it is tried again),
``expired`` (still failing at the age limit, given up), or ``pending`` after at least one
failed attempt (retried on its backoff). Re-queueing makes a delivery pending and due now, and
restarts its age limit (``requeued_at``), so a reminder that expired over a long weekend gets
its full age again once the endpoint is mended.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, and_, func, or_, select, update

from pathway.errors import InvalidValue
from persistence.tables import ReminderDeliveryRow

__all__ = [
    "REQUEUEABLE",
    "DeliveryView",
    "count_failing",
    "deliveries",
    "requeue",
    "requeue_all_failing",
]

_outbox = ReminderDeliveryRow.__table__  # type: ignore[attr-defined]

REQUEUEABLE = ("failed", "expired", "pending")
"""What a person may re-queue: sent, cancelled and withdrawn deliveries are settled."""
_LISTED = 500
"""At most this many rows listed at once (a count says how many more there are)."""


@dataclass(frozen=True)
class DeliveryView:
    """One delivery as the failing-deliveries list shows it."""

    key: str
    channel: str
    patient_id: str
    kind: str
    subject: str
    status: str
    attempts: int
    last_error: str | None
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    """Null while pending: due at the next pass."""
    created_at: datetime

    @property
    def retrying(self) -> bool:
        return self.status == "pending" and self.attempts > 0


def _waiting() -> ColumnElement[bool]:
    waiting: ColumnElement[bool] = _outbox.c.status == "pending"
    return waiting


def _failing() -> ColumnElement[bool]:
    return or_(
        _outbox.c.status.in_(("failed", "expired")),
        and_(_outbox.c.status == "pending", _outbox.c.attempts > 0),
    )


def _which(failing: bool, waiting: bool) -> ColumnElement[bool]:
    """``failing``: as the module says; ``waiting``: every pending delivery; both (or
    neither): either."""
    if failing and not waiting:
        return _failing()
    if waiting and not failing:
        return _waiting()
    return or_(_failing(), _waiting())


_columns = (
    _outbox.c.key,
    _outbox.c.channel,
    _outbox.c.message,
    _outbox.c.kind,
    _outbox.c.status,
    _outbox.c.attempts,
    _outbox.c.last_error,
    _outbox.c.last_attempt_at,
    _outbox.c.next_attempt_at,
    _outbox.c.created_at,
)


def _view(row: tuple[object, ...]) -> DeliveryView:
    key, channel, message, kind, status, attempts, error, last_at, next_at, created = row
    body = message if isinstance(message, dict) else {}
    return DeliveryView(
        str(key),
        str(channel),
        str(body.get("patient_id", "")),
        str(kind),
        str(body.get("subject", "")),
        str(status),
        int(attempts),  # type: ignore[call-overload]
        error,  # type: ignore[arg-type]
        last_at,  # type: ignore[arg-type]
        next_at,  # type: ignore[arg-type]
        created,  # type: ignore[arg-type]
    )


def deliveries(
    connection: Connection,
    *,
    failing: bool = True,
    waiting: bool = False,
    keys: Sequence[str] | None = None,
    limit: int = _LISTED,
) -> list[DeliveryView]:
    """The failing deliveries (and/or every pending one), critical notices first, then the
    oldest first; or those with these ``keys``."""
    query = select(*_columns)
    if keys is not None:
        query = query.where(_outbox.c.key.in_(list(keys)))
    else:
        query = query.where(_which(failing, waiting))
    urgent_first = (_outbox.c.kind != "critical_alert", _outbox.c.id)
    rows = connection.execute(query.order_by(*urgent_first).limit(limit))
    return [_view(tuple(row)) for row in rows]


def count_failing(connection: Connection) -> int:
    """How many deliveries are failing now (the board's notice)."""
    query = select(func.count()).select_from(_outbox).where(_failing())
    return int(connection.execute(query).scalar_one())


def _requeue(now: datetime) -> dict[str, object]:
    return {"status": "pending", "next_attempt_at": None, "requeued_at": now}


def requeue(connection: Connection, keys: Sequence[str], now: datetime) -> list[DeliveryView]:
    """Put the deliveries with these ``keys`` back in the queue, due now with a fresh age;
    returns them as they were. Every key must name a failed, expired or pending delivery, or
    nothing is written (`InvalidValue` naming the keys that do not)."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        raise InvalidValue("key", "", "one or more delivery keys, or --all-failed")
    found = {view.key: view for view in deliveries(connection, keys=wanted, limit=len(wanted))}
    unknown = [key for key in wanted if key not in found]
    if unknown:
        raise InvalidValue("key", ", ".join(unknown), "keys of deliveries in the outbox")
    settled = [key for key in wanted if found[key].status not in REQUEUEABLE]
    if settled:
        said = ", ".join(f"{key} ({found[key].status})" for key in settled)
        raise InvalidValue("key", said, "failed, expired or pending deliveries")
    statement = update(_outbox).where(_outbox.c.key.in_(wanted), _outbox.c.status.in_(REQUEUEABLE))
    connection.execute(statement.values(**_requeue(now)))
    return [found[key] for key in wanted]


def requeue_all_failing(connection: Connection, now: datetime) -> list[DeliveryView]:
    """Put every failing delivery back in the queue, due now with a fresh age; returns them
    as they were."""
    failing = deliveries(connection, failing=True, limit=1_000_000)
    if failing:
        connection.execute(update(_outbox).where(_failing()).values(**_requeue(now)))
    return failing
