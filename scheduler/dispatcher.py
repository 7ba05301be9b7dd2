"""Dispatch: plan the reminders due today, then deliver every pending one through its
channel. Each delivery is its own transaction, so a crash loses nothing already sent and
re-sends at most the one in flight (with the same idempotency key)."""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import Session

from persistence.tables import ReminderDeliveryRow

from .notifiers.base import DeliveryFailed, Notifier
from .outbox import claim_next, plan
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
    engine: Engine, day: date, now: datetime, channels: list[str], cadence_days: int
) -> int:
    with Session(engine) as session:
        new = plan(session, list(due_reminders(session, day, cadence_days)), channels, day, now)
        session.commit()
    return new


def _reminder(row: ReminderDeliveryRow) -> Reminder:
    m = row.message
    due = date.fromisoformat(m["due_on"]) if m.get("due_on") else None
    return Reminder(
        m["key"],
        m["kind"],
        m["patient_id"],
        m["subject"],
        due,
        m["text"],
        m.get("severity", "info"),
    )


def deliver_pending(
    engine: Engine,
    notifiers: Mapping[str, Notifier],
    now: Callable[[], datetime],
    max_attempts: int = 5,
) -> tuple[int, int, int]:
    """Send every pending delivery once in this pass; returns (sent, failed, retrying)."""
    sent = failed = retrying = 0
    after = 0
    while True:
        with Session(engine, expire_on_commit=False) as session:
            row = claim_next(session, engine, after)
            if row is None:
                return sent, failed, retrying
            assert row.id is not None
            after = row.id
            notifier = notifiers.get(row.channel)
            try:
                if notifier is None:
                    raise DeliveryFailed(row.channel, "channel not configured", retryable=False)
                notifier.send(_reminder(row))
            except DeliveryFailed as error:
                row.attempts += 1
                row.last_error = str(error)
                if not error.retryable or row.attempts >= max_attempts:
                    row.status = "failed"
                    failed += 1
                    log.error("reminder %s failed on %s: %s", row.key, row.channel, error)
                else:
                    retrying += 1
            else:
                row.status, row.sent_at = "sent", now()
                row.attempts += 1
                sent += 1
                log.info("sent %s reminder %s via %s", row.kind, row.key, row.channel)
            session.add(row)
            session.commit()


def dispatch(
    engine: Engine,
    notifiers: Mapping[str, Notifier],
    day: date,
    now: Callable[[], datetime],
    cadence_days: int = 7,
) -> DispatchReport:
    planned = plan_due(engine, day, now(), list(notifiers), cadence_days)
    sent, failed, retrying = deliver_pending(engine, notifiers, now)
    return DispatchReport(planned, sent, failed, retrying)
