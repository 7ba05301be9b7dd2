"""A daily digest is planned on email only, but a row that reached another channel (a setting
changed between planning and sending) must not stop the dispatch: the log writes its one-line
summary, the webhook posts it like any reminder; and the email, sent to a real SMTP server,
carries the digest's key as its Message-ID, with a subject that reads on one line."""

import json
import logging
from datetime import UTC, date, datetime

import pytest

from scheduler.digest_content import DailyDigest, DigestAlert, DigestTask
from scheduler.notifiers import EmailNotifier, LogNotifier, WebhookNotifier
from scheduler.notifiers.email import message_id
from scheduler.reminder import Reminder

from .http_server import Endpoint, http_server
from .smtp_server import Mailbox, smtp_server

KEY = "5f0c1d2e3a4b5c6d:digest:anna.rossi:2026-12-06:email"
DIGEST = DailyDigest(
    recipient="anna.rossi",
    day=date(2026, 12, 6),
    hour=7,
    timezone="Europe/Paris",
    tasks=(
        DigestTask("PUB-001", "pft", date(2026, 11, 30), 6),
        DigestTask("PUB-002", "hrct", date(2026, 12, 6), 0),
    ),
    alerts=(DigestAlert("PUB-003", "CMV_REACTIVATION", date(2026, 12, 5)),),
    alerts_since=datetime(2026, 12, 5, 6, tzinfo=UTC),
    alerts_until=datetime(2026, 12, 6, 6, tzinfo=UTC),
)
SUMMARY = "Daily digest for 2026-12-06: 1 overdue, 1 due, 1 new critical alert"


def _reminder() -> Reminder:
    return Reminder(KEY, "digest", "", "digest", DIGEST.day, DIGEST.summary(), digest=DIGEST)


def test_the_log_writes_the_digests_summary(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="ildpath.reminders"):
        LogNotifier().send(_reminder())
    [record] = caplog.records
    assert record.getMessage() == f"{SUMMARY} [key {KEY}]"


def test_the_webhook_posts_it_with_its_key() -> None:
    endpoint = Endpoint()
    with http_server(endpoint) as url:
        WebhookNotifier(url, b"secret").send(_reminder())
    [request] = endpoint.requests
    body = json.loads(request.body)
    assert request.headers["Idempotency-Key"] == KEY
    assert (body["kind"], body["text"]) == ("digest", SUMMARY)


def test_the_email_has_the_digests_message_id_and_a_one_line_subject() -> None:
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        notifier = EmailNotifier("127.0.0.1", port, "ildpath@clinic.example", ["list@x.org"])
        notifier.send(Reminder(**{**_reminder().__dict__, "recipients": ("anna@x.org",)}))
    [mail] = mailbox.received
    assert mail.rcpt_tos == ["anna@x.org"]
    assert mail.message["Subject"] == f"[ildpath] {SUMMARY}"
    assert mail.message["Message-ID"] == message_id(KEY)
    body = mail.message.get_content()
    assert "- Patient PUB-003: CMV reactivation (CMV_REACTIVATION), raised 2026-12-05" in body
    assert "- Patient PUB-001: Pulmonary function tests, due 2026-11-30, overdue by 6 days" in body
    assert "- Patient PUB-002: HRCT scan, due 2026-12-06 (today)" in body
    assert body.index("CRITICAL") < body.index("OVERDUE") < body.index("DUE TODAY")
