"""Dispatch: plan the reminders due today, then deliver every pending one through its
channel. Each delivery's outcome is committed on its own right after the send, so a crash loses
nothing already sent and re-sends at most the one in flight (with the same idempotency key).

One committed (on SQLite fsync'ed) statement per delivery is the price of that guarantee and is
kept; everything around it is made cheap: pending rows are read and claimed 500 at a time on
one connection held for the whole pass, and each outcome is one prebuilt Core UPDATE.

Each channel (each webhook endpoint) is delivered by a worker thread of its own, on a
connection of its own, and the pass ends when all of them have: a channel that hangs or fails
holds back nothing on another. Within a channel, the first failure that says the endpoint is
down (no connection, a timeout, a 5xx) ends that channel's pass: its other due deliveries wait
for the next pass untried, so an endpoint that is down costs one timeout per pass, not one per
reminder. A failing delivery is retried on the policy's backoff (`scheduler.retry`) until it is
sent, its task is closed or its alert acknowledged, or it expires (`scheduler.stops`).
"""

import logging
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from sqlalchemy import Connection, Engine
from sqlmodel import Session

from persistence.installation import installation_id

from .digest import plan_digests
from .digest_content import DIGEST_KIND, DailyDigest
from .notifiers.base import DeliveryFailed, Notifier
from .outbox import (
    Delivery,
    claim,
    drop_withdrawn,
    mark_failed,
    mark_retry,
    mark_sent,
    pending,
    plan,
    release,
)
from .planning import due_reminders
from .preferences import ClinicDigestSettings
from .reminder import Reminder
from .retry import RetryPolicy
from .routing import without_digested_email
from .stops import settle_pending

__all__ = ["Delivered", "DispatchReport", "deliver_pending", "dispatch", "plan_due"]

log = logging.getLogger("ildpath.scheduler")


@dataclass(frozen=True)
class Delivered:
    """What one delivery pass did, over every channel."""

    sent: int = 0
    failed: int = 0
    """Failed for a person to fix (no more attempts until re-queued)."""
    retrying: int = 0
    """Failed this pass, tried again after their backoff."""
    cancelled: int = 0
    """Not sent: their task was closed or their alert acknowledged first."""
    expired: int = 0
    """Not sent: still failing at the age limit."""
    channels_down: tuple[str, ...] = ()
    """Channels whose endpoint was down: their other due deliveries wait for the next pass."""


@dataclass(frozen=True)
class DispatchReport:
    planned: int
    sent: int
    failed: int
    retrying: int
    cancelled: int = 0
    expired: int = 0
    channels_down: tuple[str, ...] = ()


def plan_due(
    engine: Engine,
    day: date,
    now: datetime,
    channels: list[str],
    cadence_days: int,
    digests: ClinicDigestSettings | None = None,
    *,
    zone: tzinfo = UTC,
) -> int:
    """Plan what is due by ``day`` (each key under this database's installation id, made on
    first use), and drop the pending notices of alerts withdrawn since they were planned
    (they are never sent, §7a). ``zone`` is the clinic's: the day a reminder was delivered,
    from which the next one counts, is read in it. Task reminders of recipients who take a
    daily digest skip the email channel; their digests are planned here too, once their
    hour has come (``digests``: the clinic list's choice; default immediate)."""
    installation = installation_id(engine)
    if installation is None:  # only when asked not to make one
        raise RuntimeError("no installation id")
    clinic = digests or ClinicDigestSettings()
    with Session(engine) as session:
        drop_withdrawn(session)
        due = due_reminders(session, day, cadence_days, channels, installation, zone)
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
        digest=DailyDigest.from_message(message) if message["kind"] == DIGEST_KIND else None,
        days_overdue=message.get("days_overdue"),
    )


def _deliver(
    connection: Connection,
    delivery: Delivery,
    attempts: int,
    notifier: Notifier,
    now: Callable[[], datetime],
    policy: RetryPolicy,
) -> str:
    """Send one claimed delivery and commit its outcome (the connection autocommits each
    statement); returns ``sent``, ``failed``, ``retrying`` or ``down`` (retrying, and the
    endpoint is not taking anything now)."""
    tries = attempts + 1
    try:
        notifier.send(_reminder(delivery.message))
    except DeliveryFailed as error:
        at = now()
        if not error.retryable:
            mark_failed(connection, delivery.id, tries, str(error), at)
            log.error("reminder %s failed on %s: %s", delivery.key, delivery.channel, error)
            return "failed"
        retry_at = policy.next_attempt(tries, at)
        mark_retry(connection, delivery.id, tries, str(error), at, retry_at)
        log.warning(
            "reminder %s not delivered on %s (attempt %d), trying again at %s: %s",
            delivery.key,
            delivery.channel,
            tries,
            retry_at.isoformat(timespec="seconds"),
            error,
        )
        return "down" if error.endpoint_down else "retrying"
    mark_sent(connection, delivery.id, tries, now())
    log.info("sent %s reminder %s via %s", delivery.kind, delivery.key, delivery.channel)
    return "sent"


def _deliver_channel(
    engine: Engine,
    channel: str,
    notifier: Notifier,
    now: Callable[[], datetime],
    policy: RetryPolicy,
) -> Counter[str]:
    """One channel's due deliveries, once each, on a connection of its own, critical notices
    first; stops at the first sign that the endpoint is down.

    Reads and claims 500 at a time, then commits one statement per delivery. If anything
    escapes (a notifier bug, an interrupt), the connection is dropped rather than pooled, so
    the claims it holds go with it and another scheduler may take over at once."""
    outcomes: Counter[str] = Counter()
    due_at = now()
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        try:
            for urgent in (True, False):
                after = 0
                while not outcomes["down"] and (
                    batch := pending(connection, channel, after, due_at, urgent=urgent)
                ):
                    after = batch[-1].id
                    claimed = claim(connection, batch)
                    for delivery in batch:
                        if delivery.id in claimed:
                            attempts = claimed[delivery.id]
                            outcome = _deliver(
                                connection, delivery, attempts, notifier, now, policy
                            )
                            outcomes[outcome] += 1
                            if outcome == "down":
                                break
                    release(connection, claimed)
        except BaseException:
            connection.invalidate()
            raise
    if outcomes["down"]:
        log.warning("%s is not taking reminders: the rest wait for the next pass", channel)
    return outcomes


def deliver_pending(
    engine: Engine,
    notifiers: Mapping[str, Notifier],
    now: Callable[[], datetime],
    policy: RetryPolicy | None = None,
) -> Delivered:
    """Settle what must no longer go out, then send every due delivery once in this pass,
    each channel in a worker thread of its own; returns when every channel is done (a
    worker's error is raised here, after the others finished)."""
    policy = policy or RetryPolicy()
    with engine.begin() as connection:
        settled = settle_pending(connection, now(), policy.max_age)
    totals: Counter[str] = Counter()
    down: list[str] = []
    if notifiers:
        with ThreadPoolExecutor(len(notifiers), thread_name_prefix="ildpath-deliver") as pool:
            work = {
                channel: pool.submit(_deliver_channel, engine, channel, notifier, now, policy)
                for channel, notifier in notifiers.items()
            }
        for channel, future in work.items():
            outcomes = future.result()
            totals.update(outcomes)
            if outcomes["down"]:
                down.append(channel)
    return Delivered(
        sent=totals["sent"],
        failed=totals["failed"],
        retrying=totals["retrying"] + totals["down"],
        cancelled=settled.cancelled,
        expired=settled.expired,
        channels_down=tuple(down),
    )


def dispatch(
    engine: Engine,
    notifiers: Mapping[str, Notifier],
    day: date,
    now: Callable[[], datetime],
    cadence_days: int = 7,
    digests: ClinicDigestSettings | None = None,
    policy: RetryPolicy | None = None,
    *,
    zone: tzinfo = UTC,
) -> DispatchReport:
    planned = plan_due(engine, day, now(), list(notifiers), cadence_days, digests, zone=zone)
    done = deliver_pending(engine, notifiers, now, policy)
    return DispatchReport(
        planned,
        done.sent,
        done.failed,
        done.retrying,
        done.cancelled,
        done.expired,
        done.channels_down,
    )
