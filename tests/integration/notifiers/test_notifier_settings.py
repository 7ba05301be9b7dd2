"""Building the notifiers from ``ILDPATH_*`` settings."""

import pytest

from scheduler.notifiers import (
    EmailNotifier,
    LogNotifier,
    NotifierSettings,
    WebhookNotifier,
    notifiers_from_settings,
)

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
