"""Dispatch: plan the reminders due today, then deliver every pending one through its
channel. Each delivery's outcome is committed on its own right after the send, so a crash loses
nothing already sent and re-sends at most the one in flight (with the same idempotency key).

One committed (on SQLite fsync'ed) statement per delivery is the price of that guarantee and is
kept; everything around it is made cheap: pending rows are read and claimed 500 at a time on
one connection held for the whole pass, and each outcome is one prebuilt Core UPDATE."""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from sqlalchemy import Connection, Engine
from sqlmodel import Session

from persistence.installation import installation_id

from .notifiers.base import DeliveryFailed, Notifier
from .outbox import (
    Delivery,
    claim,
    drop_withdrawn,
    mark_failed,
    mark_sent,
    pending,
    plan,
    release,
)
from .planning import due_reminders
from .reminder import Reminder

__all__ = ["DispatchReport", "deliver_pending", "dispatch", "plan_due"]

log = logging.getLogger("ildpath.scheduler")


@dataclass(frozen=True)
class DispatchReport:
    planned: int
    sent: int
    failed: int
    retrying: int


def plan_due(
    engine: Engine,
    day: date,
    now: datetime,
    channels: list[str],
    cadence_days: int,
    *,
    zone: tzinfo = UTC,
) -> int:
    """Plan what is due by ``day`` (each key under this database's installation id, made on
    first use), and drop the pending notices of alerts withdrawn since they were planned
    (they are never sent, §7a). ``zone`` is the clinic's: the day a reminder was delivered,
    from which the next one counts, is read in it."""
    installation = installation_id(engine)
    if installation is None:  # only when asked not to make one
        raise RuntimeError("no installation id")
    with Session(engine) as session:
        drop_withdrawn(session)
        planned = due_reminders(session, day, cadence_days, channels, installation, zone)
        new = plan(session, planned, channels, day, now)
        session.commit()
    return new


def _reminder(message: dict[str, Any]) -> Reminder:
    due = date.fromisoformat(message["due_on"]) if message.get("due_on") else None
    return Reminder(
        message["key"],
        message["kind"],
        message["patient_id"],
        message["subject"],
        due,
        message["text"],
        message.get("severity", "info"),
        message.get("withdrawn_by"),
        tuple(message.get("to") or ()),
        message.get("days_overdue"),
    )


def _deliver(
    connection: Connection,
    delivery: Delivery,
    attempts: int,
    notifier: Notifier | None,
    now: Callable[[], datetime],
    max_attempts: int,
) -> str:
    """Send one claimed delivery and commit its outcome (the connection autocommits each
    statement); returns ``sent``, ``failed`` or ``retrying``."""
    try:
        if notifier is None:
            raise DeliveryFailed(delivery.channel, "channel not configured", retryable=False)
        notifier.send(_reminder(delivery.message))
    except DeliveryFailed as error:
        final = not error.retryable or attempts + 1 >= max_attempts
        mark_failed(connection, delivery.id, attempts + 1, str(error), final)
        if final:
            log.error("reminder %s failed on %s: %s", delivery.key, delivery.channel, error)
        return "failed" if final else "retrying"
    mark_sent(connection, delivery.id, attempts + 1, now())
    log.info("sent %s reminder %s via %s", delivery.kind, delivery.key, delivery.channel)
    return "sent"


def deliver_pending(
    engine: Engine,
    notifiers: Mapping[str, Notifier],
    now: Callable[[], datetime],
    max_attempts: int = 5,
) -> tuple[int, int, int]:
    """Send every pending delivery once in this pass; returns (sent, failed, retrying).

    Reads and claims 500 at a time, then commits one statement per delivery. If anything
    escapes (a notifier bug, an interrupt), the connection is dropped rather than pooled, so
    the claims it holds go with it and another scheduler may take over at once."""
    outcomes = {"sent": 0, "failed": 0, "retrying": 0}
    after = 0
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        try:
            while batch := pending(connection, after):
                after = batch[-1].id
                claimed = claim(connection, batch)
                for delivery in batch:
                    if delivery.id in claimed:
                        notifier = notifiers.get(delivery.channel)
                        attempts = claimed[delivery.id]
                        outcome = _deliver(
                            connection, delivery, attempts, notifier, now, max_attempts
                        )
                        outcomes[outcome] += 1
                release(connection, claimed)
        except BaseException:
            connection.invalidate()
            raise
    return outcomes["sent"], outcomes["failed"], outcomes["retrying"]


def dispatch(
    engine: Engine,
    notifiers: Mapping[str, Notifier],
    day: date,
    now: Callable[[], datetime],
    cadence_days: int = 7,
    *,
    zone: tzinfo = UTC,
) -> DispatchReport:
    planned = plan_due(engine, day, now(), list(notifiers), cadence_days, zone=zone)
    sent, failed, retrying = deliver_pending(engine, notifiers, now)
    return DispatchReport(planned, sent, failed, retrying)
