"""Webhook: a signed JSON POST to one of the clinic's endpoints, one attempt per send.

The body is ``{"key", "kind", "patient_id", "subject", "due_on", "text", "severity"}`` (an
overdue reminder adds ``days_overdue``; a withdrawal notice adds ``withdraws``,
``withdrawn_by`` and ``reason``, see `payload`); the
headers are ``Idempotency-Key`` (the reminder key, also the ``key`` field, so the receiver can
drop the duplicate a crash-restart, a retry or a lost response may cause),
``X-Ildpath-Timestamp`` and ``X-Ildpath-Signature: sha256=<hex HMAC-SHA256 of
"{timestamp}.{body}">`` (see `signature`; receivers check it with `verify_signature`).

Connection errors, timeouts, 429 and 5xx fail retryable, as the endpoint being down; other 4xx
fail for a person to fix: sending the same request again will not fix it. Retrying is the
outbox's business (`scheduler.retry`), not this class's: a send that slept through its own
backoff would hold the dispatcher, and every other reminder behind it, for as long. Redirects
are not followed, so the signed body never goes anywhere but the configured URL.
"""

import http.client
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from ..reminder import Reminder
from .base import DeliveryFailed
from .signature import sign, verify_signature
from .wording import withdrawal_reason, withdrawn_notice_key

__all__ = ["CHANNEL", "WebhookNotifier", "payload", "verify_signature"]

CHANNEL = "webhook"
"""The first endpoint's channel id; the next ones are ``webhook-2``, ``webhook-3``..."""


class WebhookNotifier:
    """POSTs each reminder to one URL, once, waiting at most ``timeout`` seconds for the
    connection and for each read; ``channel`` names the endpoint in the outbox."""

    def __init__(
        self,
        url: str,
        secret: bytes,
        timeout: float = 10,
        channel: str = CHANNEL,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"webhook notifier: the URL must be http(s), not {url!r}")
        if not secret:
            raise ValueError("webhook notifier: an empty secret signs nothing")
        if timeout <= 0:
            raise ValueError("webhook notifier: the timeout must be above 0 seconds")
        self.url, self.timeout, self.channel = url, timeout, channel
        self._secret, self._clock = secret, clock
        self._opener = urllib.request.build_opener(_RefuseRedirects)

    def send(self, reminder: Reminder) -> None:
        """One signed POST; `DeliveryFailed` unless the endpoint answered 2xx."""
        body = json.dumps(payload(reminder), separators=(",", ":")).encode()
        timestamp = str(int(self._clock()))
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": reminder.key,
            "X-Ildpath-Timestamp": timestamp,
            "X-Ildpath-Signature": sign(self._secret, timestamp, body),
            "User-Agent": "ildpath-notifier",
        }
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as error:
            error.close()
            down = error.code == 429 or error.code >= 500
            reason = f"{self.url} answered {error.code} {error.reason}"
            raise DeliveryFailed(
                self.channel, reason, retryable=down, endpoint_down=down
            ) from error
        except (OSError, http.client.HTTPException) as error:  # URLError, timeouts, resets
            reason = f"cannot reach {self.url}: {_reason(error)}"
            raise DeliveryFailed(
                self.channel, reason, retryable=True, endpoint_down=True
            ) from error


def payload(reminder: Reminder) -> dict[str, Any]:
    """The JSON object sent for a reminder (``due_on`` as an ISO date or null). An overdue
    task reminder adds ``days_overdue`` (days past the due date in force). A withdrawal
    notice (``kind`` ``alert_withdrawn``) adds ``withdraws`` (the key of the notice it
    withdraws), ``withdrawn_by`` (the entry) and ``reason``."""
    body: dict[str, Any] = {
        "key": reminder.key,
        "kind": reminder.kind,
        "patient_id": reminder.patient_id,
        "subject": reminder.subject,
        "due_on": reminder.due_on.isoformat() if reminder.due_on else None,
        "text": reminder.text,
        "severity": reminder.severity,
    }
    if reminder.days_overdue is not None:
        body["days_overdue"] = reminder.days_overdue
    if reminder.kind == "alert_withdrawn":
        body["withdraws"] = withdrawn_notice_key(reminder.key)
        body["withdrawn_by"] = reminder.withdrawn_by
        body["reason"] = withdrawal_reason(reminder)
    return body


def _reason(error: BaseException) -> str:
    inner = getattr(error, "reason", None)
    return str(inner if inner is not None else error) or type(error).__name__


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx becomes an `HTTPError` (not retried) instead of a silent re-POST or GET."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None
