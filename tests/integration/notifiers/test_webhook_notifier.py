"""Webhook reminders to a real HTTP server on 127.0.0.1: signed, one attempt per send, and a
failure that says whether trying later may help and whether the endpoint is down (retrying is
the outbox's business: tests/integration/scheduler/test_delivery_retries.py)."""

import json
import threading
import time

import pytest

from scheduler.notifiers import DeliveryFailed, WebhookNotifier, verify_signature

from .conftest import pft_reminder
from .http_server import Endpoint, http_server

SECRET = b"clinic-webhook-secret"


def notifier(url: str, **options: object) -> WebhookNotifier:
    return WebhookNotifier(url, SECRET, **{"timeout": 5, **options})  # type: ignore[arg-type]


def test_webhook_posts_signed_json_keyed_by_the_reminder() -> None:
    endpoint, reminder = Endpoint(), pft_reminder()
    with http_server(endpoint) as url:
        notifier(url).send(reminder)

    [request] = endpoint.requests
    headers = request.headers
    assert headers["Content-Type"] == "application/json"
    assert headers["Idempotency-Key"] == reminder.key
    assert verify_signature(
        SECRET, headers["X-Ildpath-Timestamp"], request.body, headers["X-Ildpath-Signature"]
    )
    assert json.loads(request.body) == {
        "key": reminder.key,
        "kind": "due",
        "patient_id": "PUB-001",
        "subject": "pft",
        "due_on": "2026-04-05",
        "text": reminder.text,
        "severity": "info",
    }


def test_a_tampered_body_or_another_secret_fails_verification() -> None:
    endpoint = Endpoint()
    with http_server(endpoint) as url:
        notifier(url).send(pft_reminder())

    [request] = endpoint.requests
    timestamp, signature = (
        request.headers["X-Ildpath-Timestamp"],
        request.headers["X-Ildpath-Signature"],
    )
    tampered = request.body.replace(b"PUB-001", b"PUB-002")
    assert not verify_signature(SECRET, timestamp, tampered, signature)
    assert not verify_signature(b"another secret", timestamp, request.body, signature)
    assert not verify_signature(SECRET, int(timestamp) + 1, request.body, signature)
    assert not verify_signature(
        SECRET, timestamp, request.body, signature, max_age=300, now=int(timestamp) + 301
    )
    assert verify_signature(
        SECRET, timestamp, request.body, signature, max_age=300, now=int(timestamp) + 299
    )


@pytest.mark.parametrize("status", [500, 503, 429])
def test_an_unavailable_or_rate_limiting_receiver_fails_retryable_after_one_request(
    status: int,
) -> None:
    endpoint = Endpoint(statuses=[status])
    with http_server(endpoint) as url, pytest.raises(DeliveryFailed) as failure:
        notifier(url).send(pft_reminder())

    assert endpoint.answered == [status]  # one request: no retry inside the notifier
    assert failure.value.retryable is True
    assert failure.value.endpoint_down is True
    assert f"answered {status}" in failure.value.reason


def test_bad_request_is_not_retryable() -> None:
    endpoint = Endpoint(statuses=[400])
    with http_server(endpoint) as url, pytest.raises(DeliveryFailed) as failure:
        notifier(url).send(pft_reminder())

    assert failure.value.retryable is False
    assert failure.value.endpoint_down is False
    assert "400" in failure.value.reason
    assert endpoint.answered == [400]


def test_redirect_is_not_followed() -> None:
    endpoint = Endpoint(statuses=[302])
    with http_server(endpoint) as url, pytest.raises(DeliveryFailed) as failure:
        notifier(url).send(pft_reminder())

    assert failure.value.retryable is False
    assert endpoint.answered == [302]


def test_receiver_down_fails_retryable_naming_the_endpoints_channel(closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}/hooks/ildpath"
    with pytest.raises(DeliveryFailed) as failure:
        notifier(url, channel="webhook-2").send(pft_reminder())

    assert failure.value.retryable is True
    assert failure.value.endpoint_down is True
    assert failure.value.channel == "webhook-2"
    assert f"cannot reach {url}" in failure.value.reason


def test_receiver_that_does_not_answer_in_time_fails_after_the_timeout_once() -> None:
    endpoint = Endpoint(stall=threading.Event())
    started = time.monotonic()
    with http_server(endpoint) as url:
        with pytest.raises(DeliveryFailed) as failure:
            notifier(url, timeout=0.3).send(pft_reminder())
        waited = time.monotonic() - started

    assert failure.value.retryable is True
    assert failure.value.endpoint_down is True
    assert len(endpoint.requests) == 1
    assert waited < 3  # the timeout (0.3 s), not the receiver's stall (5 s)


def test_only_http_urls_and_a_secret_are_accepted() -> None:
    with pytest.raises(ValueError, match="http"):
        WebhookNotifier("file:///etc/passwd", SECRET)
    with pytest.raises(ValueError, match="secret"):
        WebhookNotifier("https://hooks.clinic.example/ildpath", b"")
    with pytest.raises(ValueError, match="timeout"):
        WebhookNotifier("https://hooks.clinic.example/ildpath", SECRET, timeout=0)
