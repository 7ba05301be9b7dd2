"""Building the notifiers from ``ILDPATH_*`` settings."""

import pytest

from scheduler.notifiers import (
    EmailNotifier,
    LogNotifier,
    NotifierSettings,
    WebhookNotifier,
    notifiers_from_settings,
    verify_signature,
)

from .conftest import pft_reminder
from .http_server import Endpoint, http_server

EMAIL = {
    "ILDPATH_NOTIFY_CHANNELS": "log, email",
    "ILDPATH_SMTP_HOST": "smtp.clinic.example",
    "ILDPATH_SMTP_SENDER": "ildpath@clinic.example",
    "ILDPATH_SMTP_RECIPIENTS": "ild-nurse@clinic.example, pulmonology@clinic.example",
}


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in NotifierSettings.model_fields:
        monkeypatch.delenv(f"ILDPATH_{name.upper()}", raising=False)


def configure(monkeypatch: pytest.MonkeyPatch, values: dict[str, str]) -> None:
    for name, value in values.items():
        monkeypatch.setenv(name, value)


def test_default_is_the_log_alone() -> None:
    [notifier] = notifiers_from_settings()
    assert isinstance(notifier, LogNotifier)


def test_email_channel_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    configure(monkeypatch, EMAIL)

    log, email = notifiers_from_settings()

    assert isinstance(log, LogNotifier)
    assert isinstance(email, EmailNotifier)
    assert (email.host, email.port) == ("smtp.clinic.example", 587)
    assert email.recipients == ["ild-nurse@clinic.example", "pulmonology@clinic.example"]


def test_email_without_host_names_the_missing_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    configure(monkeypatch, {**EMAIL, "ILDPATH_SMTP_HOST": ""})

    with pytest.raises(ValueError, match="ILDPATH_SMTP_HOST"):
        notifiers_from_settings()


def test_email_login_without_password_names_it() -> None:
    settings = NotifierSettings(
        notify_channels="email",  # type: ignore[arg-type]
        smtp_host="smtp.clinic.example",
        smtp_sender="ildpath@clinic.example",
        smtp_recipients="ild-nurse@clinic.example",  # type: ignore[arg-type]
        smtp_username="ildpath",
    )
    with pytest.raises(ValueError, match="ILDPATH_SMTP_PASSWORD"):
        notifiers_from_settings(settings)


def test_webhook_without_secret_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    configure(
        monkeypatch,
        {"ILDPATH_NOTIFY_CHANNELS": "webhook", "ILDPATH_WEBHOOK_URL": "https://hooks.example/x"},
    )
    with pytest.raises(ValueError, match="ILDPATH_WEBHOOK_SECRET"):
        notifiers_from_settings()


def test_webhook_channel_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    configure(
        monkeypatch,
        {
            "ILDPATH_NOTIFY_CHANNELS": "WEBHOOK,log,webhook",
            "ILDPATH_WEBHOOK_URL": "https://hooks.clinic.example/ildpath",
            "ILDPATH_WEBHOOK_SECRET": "s3cret",
        },
    )
    webhook, log = notifiers_from_settings()

    assert isinstance(webhook, WebhookNotifier)
    assert webhook.url == "https://hooks.clinic.example/ildpath"
    assert isinstance(log, LogNotifier)


@pytest.mark.parametrize("channels", ["log,sms", ""])
def test_unknown_or_no_channel_is_refused(monkeypatch: pytest.MonkeyPatch, channels: str) -> None:
    configure(monkeypatch, {"ILDPATH_NOTIFY_CHANNELS": channels})
    with pytest.raises(ValueError, match="ILDPATH_NOTIFY_CHANNELS"):
        notifiers_from_settings()


def test_several_webhook_endpoints_are_channels_of_their_own_in_the_order_listed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, second = Endpoint(), Endpoint()
    with http_server(first) as one, http_server(second) as two:
        configure(
            monkeypatch,
            {
                "ILDPATH_NOTIFY_CHANNELS": "webhook",
                "ILDPATH_WEBHOOK_URL": f"{one}, {two}",
                "ILDPATH_WEBHOOK_SECRET": "secret-one,secret-two",
                "ILDPATH_WEBHOOK_TIMEOUT_SECONDS": "2.5",
            },
        )
        webhooks = notifiers_from_settings()
        for webhook in webhooks:
            webhook.send(pft_reminder(key=f"task:1:due:{webhook.channel}"))

    assert [w.channel for w in webhooks] == ["webhook", "webhook-2"]
    assert [(w.url, w.timeout) for w in webhooks] == [(one, 2.5), (two, 2.5)]  # type: ignore[attr-defined]
    for endpoint, secret in ((first, b"secret-one"), (second, b"secret-two")):
        [request] = endpoint.requests
        headers = request.headers
        signature = headers["X-Ildpath-Signature"]
        assert verify_signature(secret, headers["X-Ildpath-Timestamp"], request.body, signature)


def test_one_webhook_secret_signs_for_every_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    configure(
        monkeypatch,
        {
            "ILDPATH_NOTIFY_CHANNELS": "webhook,log",
            "ILDPATH_WEBHOOK_URL": "https://a.example/x,https://b.example/y,https://c.example/z",
            "ILDPATH_WEBHOOK_SECRET": "shared",
        },
    )
    channels = [n.channel for n in notifiers_from_settings()]
    assert channels == ["webhook", "webhook-2", "webhook-3", "log"]


def test_a_webhook_secret_list_of_another_length_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    configure(
        monkeypatch,
        {
            "ILDPATH_NOTIFY_CHANNELS": "webhook",
            "ILDPATH_WEBHOOK_URL": "https://a.example/x,https://b.example/y,https://c.example/z",
            "ILDPATH_WEBHOOK_SECRET": "one,two",
        },
    )
    with pytest.raises(ValueError, match="ILDPATH_WEBHOOK_SECRET: 2 secrets for 3 endpoints"):
        notifiers_from_settings()
