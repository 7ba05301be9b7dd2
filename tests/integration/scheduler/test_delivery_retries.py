"""Deliveries are never lost and never stall each other: a receiver down for two hours gets
every reminder once it is back, one probe a pass meanwhile, while a healthy endpoint gets
everything at once; a hanging receiver delays no other channel; a reminder still failing after
the age limit expires, but a critical notice keeps trying until its alert is acknowledged; a
task closed while its reminder was failing is never reminded. Real HTTP and SMTP servers on
127.0.0.1; the scheduler's clock is simulated, five minutes a pass."""

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, select

from ildpath.bootstrap import App
from ildpath.clock import SimulatedClock
from ildpath.usecases import acknowledge_alert, evaluate_patient, record_observation, record_therapy
from persistence.tables import AlertRow, ReminderDeliveryRow
from scheduler.dispatcher import dispatch, plan_due
from scheduler.notifiers import EmailNotifier, LogNotifier, Notifier, WebhookNotifier
from scheduler.retry import RetryPolicy

from ..apps import CLINICIAN, clinic, enrol
from ..notifiers.smtp_server import Mailbox, smtp_server
from .receiver import webhook_receiver

DAY = date(2026, 3, 2)
SECRET = b"clinic-webhook-secret"
PASS = timedelta(minutes=5)
OUTAGE = timedelta(hours=2)
POLICY = RetryPolicy()  # the defaults: 5 minutes, doubling, at most 6 hours apart, 7 days


def _cohort_with_overdue_work(app: App, clock: SimulatedClock, patients: int = 4) -> None:
    """Enrolled 40 days ago: PFTs and vaccinations overdue, with their repeats."""
    clock.move_to(DAY - timedelta(days=40))
    for n in range(patients):
        enrol(app, f"P-{n:03d}")
    clock.move_to(DAY)
    for n in range(patients):
        evaluate_patient(app, f"P-{n:03d}", DAY)


def _rows(app: App) -> list[ReminderDeliveryRow]:
    with Session(app.engine) as session:
        return list(session.exec(select(ReminderDeliveryRow).order_by(ReminderDeliveryRow.id)))


def _keys(app: App, channel: str) -> set[str]:
    return {row.key for row in _rows(app) if row.channel == channel}


def _webhook(url: str, channel: str = "webhook", timeout: float = 5) -> WebhookNotifier:
    return WebhookNotifier(url, SECRET, timeout=timeout, channel=channel)


def test_a_receiver_down_for_two_hours_gets_every_reminder_once_and_another_gets_them_at_once(
    database_url: str,
) -> None:
    with (
        clinic(database_url, DAY) as (app, clock),
        webhook_receiver(delay_seconds=0) as (down, down_url),
        webhook_receiver(delay_seconds=0) as (healthy, healthy_url),
    ):
        _cohort_with_overdue_work(app, clock)
        notifiers: dict[str, Notifier] = {
            "webhook": _webhook(down_url),
            "webhook-2": _webhook(healthy_url, "webhook-2"),
        }
        down.status = 500

        first = dispatch(app.engine, notifiers, DAY, clock.now, policy=POLICY)

        wanted = _keys(app, "webhook")
        assert len(wanted) >= 16 and first.channels_down == ("webhook",)  # a reminder per task
        assert set(healthy.accepted) == _keys(app, "webhook-2")  # all of it, in the first pass
        assert down.requests == 1  # one probe, not one timeout per reminder
        passes, probes = 1, [1]
        while any(row.status == "pending" for row in _rows(app)):
            assert passes < 200, "still pending after 200 passes"
            clock.advance(PASS)
            if passes * PASS >= OUTAGE:  # two hours after the first pass
                down.status = 200
            before = down.requests
            dispatch(app.engine, notifiers, DAY, clock.now, policy=POLICY)
            passes += 1
            if down.status == 500:
                probes.append(down.requests - before)

    assert len(probes) == OUTAGE // PASS  # a pass every 5 minutes while it was down
    assert set(probes) == {1}  # one request a pass
    assert set(down.accepted) == wanted  # every reminder arrived...
    assert set(down.accepted.values()) == {1}  # ...exactly once per key
    assert set(healthy.accepted.values()) == {1}
    assert {row.status for row in _rows(app)} == {"sent"}
    tried = [row for row in _rows(app) if row.channel == "webhook" and row.attempts > 1]
    assert tried and all("answered 500" in (row.last_error or "") for row in tried)
    # the last of them waited out its backoff, capped at 6 hours apart
    assert passes * PASS <= OUTAGE + timedelta(seconds=POLICY.max_seconds) + PASS


@dataclass
class TimedMailbox(Mailbox):
    """Notes when (time.monotonic) each message arrived."""

    arrived: list[float] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        self.arrived.append(time.monotonic())
        return reply


def test_a_hanging_receiver_does_not_delay_the_other_channel(database_url: str) -> None:
    mailbox, timeout = TimedMailbox(), 5.0
    with (
        clinic(database_url, DAY) as (app, clock),
        webhook_receiver(delay_seconds=60) as (hanging, hanging_url),
        smtp_server(mailbox) as port,
    ):
        _cohort_with_overdue_work(app, clock, patients=2)
        notifiers: dict[str, Notifier] = {
            "webhook": _webhook(hanging_url, timeout=timeout),
            "email": EmailNotifier("127.0.0.1", port, "ildpath@clinic.example", ["ild@x.org"]),
        }
        started = time.monotonic()
        report = dispatch(app.engine, notifiers, DAY, clock.now, policy=POLICY)
        took = time.monotonic() - started
        emails = [m.message["X-Ildpath-Reminder-Key"] for m in mailbox.received]
        rows = _rows(app)

    assert set(emails) == {row.key for row in rows if row.channel == "email"}
    assert max(mailbox.arrived) - started < timeout  # all in, while the webhook still hung
    assert report.channels_down == ("webhook",)
    assert hanging.requests == 1  # one timeout for the whole pass, not one per reminder
    assert timeout <= took < 2 * timeout
    [tried] = [row for row in rows if row.channel == "webhook" and row.attempts]
    assert tried.status == "pending" and "timed out" in (tried.last_error or "")
    assert tried.next_attempt_at is not None
    untried = [row for row in rows if row.channel == "webhook" and not row.attempts]
    assert untried and all(row.status == "pending" for row in untried)


def _critical_alert(app: App) -> int:
    """Anti-MDA5 positive, infliximab recorded: AVOID_AGENT, a critical alert."""
    enrol(app, "MDA5-01", anti_mda5="positive", ild_course="rapidly_progressive")
    record_therapy(app, "MDA5-01", "start", "infliximab", DAY, CLINICIAN)
    with Session(app.engine) as session:
        [alert] = session.exec(select(AlertRow).where(AlertRow.severity == "critical")).all()
    assert alert.id is not None
    return alert.id


def test_a_reminder_failing_past_the_age_limit_expires_a_critical_notice_keeps_trying(
    database_url: str,
) -> None:
    with (
        clinic(database_url, DAY) as (app, clock),
        webhook_receiver(delay_seconds=0) as (down, url),
    ):
        down.status = 503
        alert_id = _critical_alert(app)
        notifiers: dict[str, Notifier] = {"webhook": _webhook(url)}
        dispatch(app.engine, notifiers, DAY, clock.now, policy=POLICY)
        first_day = {row.key: row for row in _rows(app)}
        notice = next(key for key, row in first_day.items() if row.kind == "critical_alert")
        hours = 0
        while hours < 8 * 24:
            clock.advance(timedelta(hours=1))
            hours += 1
            dispatch(app.engine, notifiers, clock.today(), clock.now, policy=POLICY)
        after_eight_days = {row.key: row for row in _rows(app)}

        acknowledge_alert(app, alert_id, "seen; infliximab stopped", CLINICIAN)
        clock.advance(timedelta(hours=1))
        down.status = 200
        dispatch(app.engine, notifiers, clock.today(), clock.now, policy=POLICY)
        at_the_end = {row.key: row for row in _rows(app)}

    others = [key for key in first_day if key != notice]
    assert others and all(after_eight_days[key].status == "expired" for key in others)
    assert all(
        "not sent within 7 days (the age limit)" in (after_eight_days[key].last_error or "")
        for key in others
    )
    kept = after_eight_days[notice]
    assert kept.status == "pending"
    assert kept.attempts > 8  # retried all along, at most 6 hours apart
    assert "answered 503" in (kept.last_error or "")
    assert at_the_end[notice].status == "cancelled"
    assert at_the_end[notice].last_error == "not sent: its alert was acknowledged first"
    assert notice not in down.accepted  # never sent after the acknowledgement
    assert not any(key in down.accepted for key in others)  # nor anything expired


def test_a_task_closed_while_its_reminder_was_failing_is_never_reminded(
    database_url: str,
) -> None:
    enrolled = DAY - timedelta(days=14)  # the PFT falls due today
    with (
        clinic(database_url, enrolled) as (app, clock),
        webhook_receiver(delay_seconds=0) as (down, url),
    ):
        enrol(app)
        clock.move_to(DAY)
        evaluate_patient(app, "P-001", DAY)
        down.status = 500
        notifiers: dict[str, Notifier] = {"webhook": _webhook(url)}
        dispatch(app.engine, notifiers, DAY, clock.now, policy=POLICY)
        [pft] = [row for row in _rows(app) if row.message["subject"] == "pft"]
        assert (pft.status, pft.attempts) == ("pending", 1)

        record_observation(app, "P-001", "pft", {"fvc_pct": 80, "dlco_pct": 70}, DAY, CLINICIAN)
        down.status = 200
        for _ in range(3):
            clock.advance(timedelta(hours=1))
            dispatch(app.engine, notifiers, DAY, clock.now, policy=POLICY)
        [after] = [row for row in _rows(app) if row.key == pft.key]

    assert after.status == "cancelled"
    assert after.last_error == "not sent: its task was closed (done) first"
    assert after.sent_at is None
    assert Counter(down.keys)[pft.key] == 1 and pft.key not in down.accepted


def test_a_channel_no_longer_configured_leaves_its_reminders_pending_until_the_age_limit(
    database_url: str,
) -> None:
    with clinic(database_url, DAY) as (app, clock):
        _cohort_with_overdue_work(app, clock, patients=1)
        plan_due(app.engine, DAY, clock.now(), ["log", "webhook"], cadence_days=7)
        logged: dict[str, Notifier] = {"log": LogNotifier()}  # the webhook was turned off
        dispatch(app.engine, logged, DAY, clock.now, policy=POLICY)
        left = [row for row in _rows(app) if row.channel == "webhook"]
        clock.advance(timedelta(days=8))
        dispatch(app.engine, logged, clock.today(), clock.now, policy=POLICY)
        later = {row.key: row for row in _rows(app) if row.channel == "webhook"}

    assert left and all((row.status, row.attempts) == ("pending", 0) for row in left)
    assert {later[row.key].status for row in left} == {"expired"}
    assert all(
        "never tried (is its channel configured?)" in (later[row.key].last_error or "")
        for row in left
    )
