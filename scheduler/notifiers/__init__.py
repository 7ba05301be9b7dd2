"""Channels that carry reminders to people: the log (default), email over SMTP and a signed
webhook. Each message carries the reminder key so a receiver can drop a duplicate."""

from .base import DeliveryFailed, Notifier
from .email import EmailNotifier
from .log import LogNotifier
from .settings import NotifierSettings, notifiers_from_settings
from .signature import verify_signature
from .webhook import WebhookNotifier

__all__ = [
    "DeliveryFailed",
    "EmailNotifier",
    "LogNotifier",
    "Notifier",
    "NotifierSettings",
    "WebhookNotifier",
    "notifiers_from_settings",
    "verify_signature",
]
