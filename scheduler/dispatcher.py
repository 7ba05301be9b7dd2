"""Dispatch: plan the reminders due today, then deliver every pending one through its
channel. Each delivery's outcome is committed on its own right after the send, so a crash loses
nothing already sent and re-sends at most the one in flight (with the same idempotency key).

One committed (on SQLite fsync'ed) statement per delivery is the price of that guarantee and is
kept; everything around it is made cheap: pending rows are read and claimed 500 at a time on
one connection held for the whole pass, and each outcome is one prebuilt Core UPDATE."""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine
from sqlmodel import Session

from .digest import plan_digests
from .digest_content import DIGEST_KIND, DailyDigest
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
from .preferences import ClinicDigestSettings
from .reminder import Reminder
from .routing import without_digested_email

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
    digests: ClinicDigestSettings | None = None,
) -> int:
    """Plan what is due by ``day``, and drop the pending notices of alerts withdrawn since
    they were planned (they are never sent, §7a). Task reminders of recipients who take a
    daily digest skip the email channel; their digests are planned here too, once their
    hour has come (``digests``: the clinic list's choice; default immediate)."""
    clinic = digests or ClinicDigestSettings()
    with Session(engine) as session:
        drop_withdrawn(session)
        due = due_reminders(session, day, cadence_days)
        new = plan(
            session, without_digested_email(session, due, channels, clinic), channels, day, now
        )
        new += plan_digests(session, now, channels, clinic)
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
        DailyDigest.from_message(message) if message["kind"] == DIGEST_KIND else None,
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
    digests: ClinicDigestSettings | None = None,
) -> DispatchReport:
    planned = plan_due(engine, day, now(), list(notifiers), cadence_days, digests)
    sent, failed, retrying = deliver_pending(engine, notifiers, now)
    return DispatchReport(planned, sent, failed, retrying)
