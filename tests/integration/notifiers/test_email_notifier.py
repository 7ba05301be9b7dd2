"""Email reminders through a real SMTP server on 127.0.0.1 (aiosmtpd)."""

import pytest

from scheduler.notifiers import DeliveryFailed, EmailNotifier
from scheduler.notifiers.email import message_id

from .conftest import PATIENT, SENSITIVE, pft_reminder
from .smtp_server import Certificate, Mailbox, password_checker, smtp_server

SENDER = "ildpath@clinic.example"
COORDINATORS = ["ild-nurse@clinic.example", "pulmonology@clinic.example"]


def notifier(port: int, **options: object) -> EmailNotifier:
    options = {"timeout": 5, **options}
    return EmailNotifier("127.0.0.1", port, SENDER, COORDINATORS, **options)  # type: ignore[arg-type]


def test_due_pft_reminder_reaches_every_coordinator_readably() -> None:
    mailbox = Mailbox()
    reminder = pft_reminder()
    with smtp_server(mailbox) as port:
        notifier(port).send(reminder)

    [mail] = mailbox.received
    assert mail.mail_from == SENDER
    assert mail.rcpt_tos == COORDINATORS
    assert mail.message["Subject"] == "[ildpath] PFT due 2026-04-05 — patient PUB-001"
    assert mail.message["To"] == ", ".join(COORDINATORS)
    assert mail.message["Message-ID"] == message_id(reminder.key)
    assert mail.message["X-Ildpath-Reminder-Key"] == reminder.key
    body = mail.message.get_content()
    for expected in (PATIENT, "PFT", "2026-04-05", "Decision support: the care team decides."):
        assert expected in body


def test_email_carries_no_patient_data_beyond_identifier_task_and_due_date() -> None:
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        notifier(port).send(pft_reminder())

    message = mailbox.received[0].message
    for text in (message.get_content(), str(message["Subject"]), message.as_string()):
        for fragment in ("MDA5", "FVC", "58%", "Jane", "Doe"):
            assert fragment not in text, SENSITIVE


def test_same_reminder_sent_twice_carries_one_message_id_for_dedupe() -> None:
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        notifier(port).send(pft_reminder())
        notifier(port).send(pft_reminder())

    first, second = (mail.message["Message-ID"] for mail in mailbox.received)
    assert first == second
    assert first.endswith("@ildpath>") and len(first) == len("<@ildpath>") + 32


def test_overdue_and_critical_subjects_say_so() -> None:
    mailbox = Mailbox()
    alert = pft_reminder(
        "critical_alert", subject="PLASMA_EXCHANGE_OVERDUE", due_on=None, severity="critical"
    )
    with smtp_server(mailbox) as port:
        notifier(port).send(pft_reminder("overdue"))
        notifier(port).send(pft_reminder("overdue-repeat-2"))
        notifier(port).send(alert)

    subjects = [mail.message["Subject"] for mail in mailbox.received]
    assert subjects == [
        "[ildpath] OVERDUE: PFT was due 2026-04-05 — patient PUB-001",
        "[ildpath] OVERDUE (reminder 2): PFT was due 2026-04-05 — patient PUB-001",
        "[ildpath] CRITICAL alert PLASMA_EXCHANGE_OVERDUE — patient PUB-001",
    ]


def test_an_overdue_reminder_says_by_how_many_days_in_subject_and_body() -> None:
    """Issue 21: one reminder of where the task stands, not one per day missed."""
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        notifier(port).send(pft_reminder("overdue", days_overdue=38))
        notifier(port).send(pft_reminder("overdue-repeat-3", days_overdue=59))
        notifier(port).send(pft_reminder("overdue", days_overdue=1))

    # whitespace normalised: Python's header folding may leave two spaces where it folds
    first, repeat, yesterday = (mail.message for mail in mailbox.received)
    assert first["Subject"] == (
        "[ildpath] OVERDUE by 38 days: PFT was due 2026-04-05 — patient PUB-001"
    )
    assert "Status: OVERDUE by 38 days" in first.get_content().splitlines()
    assert " ".join(repeat["Subject"].split()) == (
        "[ildpath] OVERDUE by 59 days (reminder 3): PFT was due 2026-04-05 — patient PUB-001"
    )
    assert yesterday["Subject"].startswith("[ildpath] OVERDUE by 1 day: ")


def _send_through_starttls_and_auth(
    mailbox: Mailbox, certificate: Certificate, password: str
) -> None:
    """Send one reminder to a server that requires STARTTLS and login as ildpath/s3cret."""
    with smtp_server(
        mailbox,
        tls_context=certificate.server_context(),
        require_starttls=True,
        auth_required=True,
        authenticator=password_checker("ildpath", "s3cret"),
    ) as port:
        notifier(
            port,
            starttls=True,
            username="ildpath",
            password=password,
            ssl_context=certificate.client_context(),
        ).send(pft_reminder())


def test_starttls_and_login_deliver_to_a_server_that_requires_both(
    certificate: Certificate,
) -> None:
    mailbox = Mailbox()
    _send_through_starttls_and_auth(mailbox, certificate, "s3cret")

    assert len(mailbox.received) == 1


def test_wrong_password_is_a_permanent_failure_and_nothing_is_delivered(
    certificate: Certificate,
) -> None:
    mailbox = Mailbox()
    with pytest.raises(DeliveryFailed) as failure:
        _send_through_starttls_and_auth(mailbox, certificate, "wrong")

    assert failure.value.retryable is False
    assert failure.value.channel == "email"
    assert "535" in failure.value.reason
    assert mailbox.received == []


def test_untrusted_certificate_is_refused_and_not_retried(certificate: Certificate) -> None:
    mailbox = Mailbox()
    server = smtp_server(mailbox, tls_context=certificate.server_context())
    with server as port, pytest.raises(DeliveryFailed) as failure:
        notifier(port, starttls=True).send(pft_reminder())  # system trust store only

    assert failure.value.retryable is False
    assert mailbox.received == []


def test_temporary_smtp_refusal_is_retryable() -> None:
    mailbox = Mailbox(data_reply="451 4.3.0 Mail server temporarily unavailable")
    with smtp_server(mailbox) as port, pytest.raises(DeliveryFailed) as failure:
        notifier(port).send(pft_reminder())

    assert failure.value.retryable is True
    assert "451" in failure.value.reason


def test_permanent_smtp_refusal_is_not_retryable() -> None:
    mailbox = Mailbox(data_reply="554 5.7.1 Message rejected")
    with smtp_server(mailbox) as port, pytest.raises(DeliveryFailed) as failure:
        notifier(port).send(pft_reminder())

    assert failure.value.retryable is False


def test_server_down_is_retryable(closed_port: int) -> None:
    with pytest.raises(DeliveryFailed) as failure:
        notifier(closed_port).send(pft_reminder())

    assert failure.value.retryable is True
    assert f"127.0.0.1:{closed_port}" in failure.value.reason


def test_starttls_together_with_implicit_tls_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="STARTTLS"):
        notifier(587, starttls=True, ssl=True)
