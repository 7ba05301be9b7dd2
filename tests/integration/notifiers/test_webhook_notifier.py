"""Webhook reminders to a real HTTP server on 127.0.0.1: signed, retried, given up on."""

import json
import threading

import pytest

from scheduler.notifiers import DeliveryFailed, WebhookNotifier, verify_signature

from .conftest import pft_reminder
from .http_server import Endpoint, http_server

SECRET = b"clinic-webhook-secret"


class Sleeps(list[float]):
    """Records the backoff delays instead of waiting them out."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def notifier(url: str, sleeps: Sleeps, **options: object) -> WebhookNotifier:
    return WebhookNotifier(url, SECRET, sleep=sleeps, **{"timeout": 5, **options})  # type: ignore[arg-type]


def test_webhook_posts_signed_json_keyed_by_the_reminder() -> None:
    endpoint, sleeps, reminder = Endpoint(), Sleeps(), pft_reminder()
    with http_server(endpoint) as url:
        notifier(url, sleeps).send(reminder)

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
    assert sleeps == []


def test_a_tampered_body_or_another_secret_fails_verification() -> None:
    endpoint = Endpoint()
    with http_server(endpoint) as url:
        notifier(url, Sleeps()).send(pft_reminder())

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


def test_unavailable_receiver_is_retried_with_backoff_and_delivered_once() -> None:
    endpoint, sleeps = Endpoint(statuses=[503, 503]), Sleeps()
    with http_server(endpoint) as url:
        notifier(url, sleeps).send(pft_reminder())

    assert endpoint.answered == [503, 503, 200]
    assert sleeps == [0.5, 1.0]
    assert {request.headers["Idempotency-Key"] for request in endpoint.requests} == {
        pft_reminder().key
    }


def test_rate_limited_receiver_is_retried() -> None:
    endpoint, sleeps = Endpoint(statuses=[429]), Sleeps()
    with http_server(endpoint) as url:
        notifier(url, sleeps).send(pft_reminder())

    assert endpoint.answered == [429, 200]
    assert sleeps == [0.5]


def test_bad_request_is_not_retried() -> None:
    endpoint, sleeps = Endpoint(statuses=[400]), Sleeps()
    with http_server(endpoint) as url, pytest.raises(DeliveryFailed) as failure:
        notifier(url, sleeps).send(pft_reminder())

    assert failure.value.retryable is False
    assert "400" in failure.value.reason
    assert endpoint.answered == [400]
    assert sleeps == []


def test_redirect_is_not_followed() -> None:
    endpoint, sleeps = Endpoint(statuses=[302]), Sleeps()
    with http_server(endpoint) as url, pytest.raises(DeliveryFailed) as failure:
        notifier(url, sleeps).send(pft_reminder())

    assert failure.value.retryable is False
    assert endpoint.answered == [302]


def test_receiver_failing_every_attempt_gives_up_retryable() -> None:
    endpoint, sleeps = Endpoint(statuses=[500, 500, 500]), Sleeps()
    with http_server(endpoint) as url, pytest.raises(DeliveryFailed) as failure:
        notifier(url, sleeps, attempts=3).send(pft_reminder())

    assert failure.value.retryable is True
    assert "after 3 attempts" in failure.value.reason
    assert endpoint.answered == [500, 500, 500]
    assert sleeps == [0.5, 1.0]


def test_receiver_down_raises_retryable_after_the_configured_attempts(closed_port: int) -> None:
    sleeps = Sleeps()
    url = f"http://127.0.0.1:{closed_port}/hooks/ildpath"
    with pytest.raises(DeliveryFailed) as failure:
        notifier(url, sleeps, attempts=3).send(pft_reminder())

    assert failure.value.retryable is True
    assert failure.value.channel == "webhook"
    assert "after 3 attempts" in failure.value.reason
    assert sleeps == [0.5, 1.0]


def test_receiver_that_does_not_answer_in_time_is_retried() -> None:
    endpoint, sleeps = Endpoint(stall=threading.Event()), Sleeps()
    with http_server(endpoint) as url, pytest.raises(DeliveryFailed) as failure:
        notifier(url, sleeps, attempts=2, timeout=0.2).send(pft_reminder())

    assert failure.value.retryable is True
    assert len(endpoint.requests) == 2
    assert sleeps == [0.5]


def test_only_http_urls_and_a_secret_are_accepted() -> None:
    with pytest.raises(ValueError, match="http"):
        WebhookNotifier("file:///etc/passwd", SECRET)
    with pytest.raises(ValueError, match="secret"):
        WebhookNotifier("https://hooks.clinic.example/ildpath", b"")
