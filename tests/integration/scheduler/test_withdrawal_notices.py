"""CLINICAL_SPEC §7a on the reminder channels: an alert withdrawn within its recording day gets
no critical notice; a notice planned but not yet sent is never sent; a notice already sent is
followed by one withdrawal notice on the channels that carried it, read here as a person
receives it (a real SMTP server and a real HTTP endpoint)."""

import json
from datetime import date

from sqlmodel import Session, col, select

from ildpath.bootstrap import App
from ildpath.usecases import TriggerCommand, fire_trigger, record_therapy
from persistence.tables import ReminderDeliveryRow
from scheduler.dispatcher import deliver_pending, dispatch, plan_due
from scheduler.notifiers import EmailNotifier, Notifier, WebhookNotifier, verify_signature
from scheduler.notifiers.email import message_id
from scheduler.notifiers.log import LogNotifier

from ..apps import CLINICIAN, clinic, enrol
from ..notifiers.http_server import Endpoint, http_server
from ..notifiers.smtp_server import Mailbox, smtp_server

DAY = date(2026, 3, 2)
SECRET = b"clinic-webhook-secret"
COORDINATORS = ["ild-nurse@clinic.example"]


def _methotrexate_at_line_1(app: App) -> None:
    """Anti-MDA5 positive: methotrexate at line 1 raises AVOID_FIRST_LINE_AGENT at once."""
    enrol(app, anti_mda5="positive", ild_course="rapidly_progressive")
    record_therapy(app, "P-001", "start", "methotrexate", DAY, CLINICIAN)


def _declare_refractory(app: App) -> None:
    """The same day's refractory declaration: methotrexate is line 2, the alert withdrawn."""
    command = TriggerCommand("declare_refractory", DAY, reason="worsening despite treatment")
    fire_trigger(app, "P-001", command, CLINICIAN)


def _deliveries(app: App) -> list[ReminderDeliveryRow]:
    with Session(app.engine) as session:
        rows = session.exec(
            select(ReminderDeliveryRow).where(col(ReminderDeliveryRow.alert_id).is_not(None))
        )
        return [r for r in rows if r.message["subject"] == "AVOID_FIRST_LINE_AGENT"]


def test_an_alert_withdrawn_before_dispatch_gets_no_notice(database_url: str) -> None:
    with clinic(database_url, DAY) as (app, clock):
        _methotrexate_at_line_1(app)
        _declare_refractory(app)
        dispatch(app.engine, {"log": LogNotifier()}, DAY, clock.now)
        assert _deliveries(app) == []


def test_a_planned_notice_not_yet_sent_is_never_sent_once_withdrawn(database_url: str) -> None:
    with clinic(database_url, DAY) as (app, clock):
        _methotrexate_at_line_1(app)
        plan_due(app.engine, DAY, clock.now(), ["log"], 7)
        [planned] = _deliveries(app)
        assert planned.status == "pending"
        _declare_refractory(app)

        dispatch(app.engine, {"log": LogNotifier()}, DAY, clock.now)

        [kept] = _deliveries(app)
        assert (kept.kind, kept.status, kept.sent_at) == ("critical_alert", "withdrawn", None)
        assert all(d.kind != "alert_withdrawn" for d in _deliveries(app))


def test_a_sent_notice_is_followed_by_one_withdrawal_notice_on_its_channels(
    database_url: str,
) -> None:
    with clinic(database_url, DAY) as (app, clock):
        _methotrexate_at_line_1(app)
        dispatch(app.engine, {"log": LogNotifier()}, DAY, clock.now)
        _declare_refractory(app)
        # a channel configured later never carried the notice: no withdrawal notice there
        channels = {"log": LogNotifier(), "other": LogNotifier()}
        for _ in range(3):
            dispatch(app.engine, channels, DAY, clock.now)

        by_kind = sorted((d.kind, d.channel, d.status) for d in _deliveries(app))
        assert by_kind == [
            ("alert_withdrawn", "log", "sent"),
            ("critical_alert", "log", "sent"),
        ]


def test_withdrawal_notice_reads_clearly_by_email_and_webhook(database_url: str) -> None:
    mailbox, endpoint = Mailbox(), Endpoint()
    with (
        clinic(database_url, DAY) as (app, clock),
        smtp_server(mailbox) as port,
        http_server(endpoint) as url,
    ):
        channels: dict[str, Notifier] = {
            "email": EmailNotifier("127.0.0.1", port, "ildpath@clinic.example", COORDINATORS),
            "webhook": WebhookNotifier(url, SECRET, timeout=5),
        }
        _methotrexate_at_line_1(app)
        dispatch(app.engine, channels, DAY, clock.now)
        _declare_refractory(app)
        dispatch(app.engine, channels, DAY, clock.now)
        deliver_pending(app.engine, channels, clock.now)  # nothing left: never doubled
        assert sorted(d.status for d in _deliveries(app)) == ["sent"] * 4

    notice, withdrawal = (
        m.message for m in mailbox.received if "AVOID_FIRST" in m.message["Subject"]
    )
    assert withdrawal["Subject"] == (
        "[ildpath] WITHDRAWN on 2026-03-02: CRITICAL alert AVOID_FIRST_LINE_AGENT — patient P-001"
    )
    assert withdrawal["In-Reply-To"] == notice["Message-ID"]
    body = withdrawal.get_content()
    assert "Patient: P-001" in body
    assert "WITHDRAWN on 2026-03-02" in body
    assert "withdrawn: the same day's entries show its cause did not hold — entry tr1" in body
    assert "nothing to acknowledge" in body
    assert "methotrexate" not in body.lower()  # no clinical detail leaves the clinic

    posts = [json.loads(r.body) for r in endpoint.requests]
    [withdrawn] = [p for p in posts if p["kind"] == "alert_withdrawn"]
    [original] = [p for p in posts if p["kind"] == "critical_alert"]
    assert withdrawn["withdraws"] == original["key"]
    assert withdrawn["withdrawn_by"] == "tr1"
    assert withdrawn["reason"] == (
        "withdrawn: the same day's entries show its cause did not hold — entry tr1"
    )
    assert withdrawn["subject"] == "AVOID_FIRST_LINE_AGENT"
    assert "WITHDRAWN" in withdrawn["text"] and "tr1" in withdrawn["text"]
    [request] = [r for r in endpoint.requests if json.loads(r.body)["kind"] == "alert_withdrawn"]
    assert request.headers["Idempotency-Key"] == withdrawn["key"]
    assert verify_signature(
        SECRET,
        request.headers["X-Ildpath-Timestamp"],
        request.body,
        request.headers["X-Ildpath-Signature"],
    )
    assert message_id(original["key"].replace(":webhook", ":email")) == notice["Message-ID"]
