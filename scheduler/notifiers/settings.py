"""Which channels carry reminders, from ``ILDPATH_*`` settings, and the notifiers they make.

``ILDPATH_NOTIFY_CHANNELS`` is a comma list of ``log``, ``email``, ``webhook`` (default
``log``). A channel enabled without what it needs fails at start-up with the names of the
missing variables, rather than at the first reminder, days later.

``ILDPATH_WEBHOOK_URL`` may list several endpoints, comma-separated: each is a channel of its
own in the outbox (``webhook``, ``webhook-2``, ``webhook-3``... in the order listed), retried
and dispatched apart, so one endpoint down holds back nothing sent to another. The id follows
the position, so a new endpoint goes at the end: moving one would hand its pending reminders
(and its keys) to another.
"""

from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from .base import Notifier
from .email import EmailNotifier
from .log import LogNotifier
from .webhook import CHANNEL as WEBHOOK
from .webhook import WebhookNotifier

__all__ = ["CHANNELS", "NotifierSettings", "notifiers_from_settings", "webhook_channel"]

CHANNELS = ("log", "email", "webhook")


class NotifierSettings(BaseSettings):
    """``ILDPATH_SMTP_*`` for email (``SMTP_RECIPIENTS`` a comma list; ``SMTP_SSL`` for
    implicit TLS on port 465, which then replaces STARTTLS), ``ILDPATH_WEBHOOK_*`` for the
    webhooks (``WEBHOOK_URL`` a comma list of endpoints; ``WEBHOOK_SECRET`` one secret for
    all, or a comma list with one per endpoint, in the same order)."""

    model_config = SettingsConfigDict(env_prefix="ILDPATH_", extra="ignore")

    notify_channels: Annotated[list[str], NoDecode] = ["log"]
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_sender: str | None = None
    smtp_recipients: Annotated[list[str], NoDecode] = []
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    smtp_ssl: bool = False
    webhook_url: Annotated[list[str], NoDecode] = []
    webhook_secret: SecretStr | None = None
    webhook_timeout_seconds: float = Field(default=10, gt=0, le=300)
    """How long one POST may wait to connect, and then for each read of the answer."""

    @field_validator("notify_channels", "smtp_recipients", "webhook_url", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("notify_channels")
    @classmethod
    def _known_channels(cls, value: list[str]) -> list[str]:
        channels = list(dict.fromkeys(channel.lower() for channel in value))
        unknown = [channel for channel in channels if channel not in CHANNELS]
        if unknown:
            raise ValueError(f"ILDPATH_NOTIFY_CHANNELS: unknown {unknown}; known: {list(CHANNELS)}")
        if not channels:
            raise ValueError("ILDPATH_NOTIFY_CHANNELS: empty (reminders would go nowhere)")
        return channels


def notifiers_from_settings(settings: NotifierSettings | None = None) -> list[Notifier]:
    """One notifier per enabled channel (one per endpoint for webhooks), in the order listed
    (read from the environment when no settings are given); ValueError naming every missing
    or mismatched ``ILDPATH_*`` variable."""
    settings = settings or NotifierSettings()
    builders = {"log": _log, "email": _email, "webhook": _webhooks}
    return [
        notifier for channel in settings.notify_channels for notifier in builders[channel](settings)
    ]


def _log(settings: NotifierSettings) -> list[Notifier]:
    return [LogNotifier()]


def _email(settings: NotifierSettings) -> list[Notifier]:
    _require(
        "email",
        ILDPATH_SMTP_HOST=settings.smtp_host,
        ILDPATH_SMTP_SENDER=settings.smtp_sender,
        ILDPATH_SMTP_RECIPIENTS=settings.smtp_recipients,
    )
    if settings.smtp_username:
        _require("email with ILDPATH_SMTP_USERNAME", ILDPATH_SMTP_PASSWORD=settings.smtp_password)
    assert settings.smtp_host and settings.smtp_sender  # checked above, for the type checker
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    email = EmailNotifier(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_sender,
        recipients=settings.smtp_recipients,
        username=settings.smtp_username or None,
        password=password,
        starttls=settings.smtp_starttls and not settings.smtp_ssl,
        ssl=settings.smtp_ssl,
    )
    return [email]


def webhook_channel(position: int) -> str:
    """The channel id of the endpoint at ``position`` (0-based) in ``ILDPATH_WEBHOOK_URL``:
    the first keeps ``webhook``, so an outbox planned before several were allowed still goes
    to it."""
    return WEBHOOK if position == 0 else f"{WEBHOOK}-{position + 1}"


def _webhooks(settings: NotifierSettings) -> list[Notifier]:
    _require(
        "webhook",
        ILDPATH_WEBHOOK_URL=settings.webhook_url,
        ILDPATH_WEBHOOK_SECRET=settings.webhook_secret,
    )
    assert settings.webhook_secret
    urls = settings.webhook_url
    secrets = _secrets(settings.webhook_secret.get_secret_value(), len(urls))
    return [
        WebhookNotifier(
            url=url,
            secret=secret.encode(),
            timeout=settings.webhook_timeout_seconds,
            channel=webhook_channel(position),
        )
        for position, (url, secret) in enumerate(zip(urls, secrets, strict=True))
    ]


def _secrets(value: str, endpoints: int) -> list[str]:
    """One secret for every endpoint, or one each: with a single endpoint the secret is taken
    whole (it may hold a comma)."""
    if endpoints == 1:
        return [value]
    parts = [part.strip() for part in value.split(",")]
    if len(parts) == 1:
        return parts * endpoints
    if len(parts) != endpoints or not all(parts):
        raise ValueError(
            f"ILDPATH_WEBHOOK_SECRET: {len(parts)} secrets for {endpoints} endpoints in "
            "ILDPATH_WEBHOOK_URL; give one secret for all, or one per endpoint in the same "
            "order (comma-separated)"
        )
    return parts


def _require(channel: str, **values: object) -> None:
    missing = [name for name, value in values.items() if not _is_set(value)]
    if missing:
        names = ", ".join(missing)
        verb = "is" if len(missing) == 1 else "are"
        raise ValueError(f"the {channel} channel is enabled but {names} {verb} not set")


def _is_set(value: object) -> bool:
    if isinstance(value, SecretStr):
        return bool(value.get_secret_value())
    return bool(value)
