"""Fixtures of the notifier tests: a reminder, real servers on 127.0.0.1, a closed port."""

import socket
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from scheduler.reminder import Reminder

from .smtp_server import Certificate, self_signed_certificate

PATIENT = "PUB-001"
SENSITIVE = "Anti-MDA5 positive, FVC 58% predicted, Jane Doe"
"""Free text the email must not carry: it is built from the reminder's structured fields."""


def pft_reminder(kind: str = "due", **overrides: object) -> Reminder:
    fields: dict[str, object] = {
        "key": f"task-42:{kind}:email",
        "kind": kind,
        "patient_id": PATIENT,
        "subject": "pft",
        "due_on": date(2026, 4, 5),
        "text": SENSITIVE,
    }
    return Reminder(**{**fields, **overrides})  # type: ignore[arg-type]


@pytest.fixture
def reminder() -> Reminder:
    return pft_reminder()


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return self_signed_certificate(Path(tmp_path_factory.mktemp("tls")))


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port nothing listens on (bound then released; the system hands out fresh ones)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    yield port


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """urllib honours *_proxy variables: the webhook must reach 127.0.0.1 directly."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
