"""The use-case tier: every use case on the memory store (no database), so the whole tier
runs in seconds. The memory store is held to the SQL stores' behaviour by
`tests/contract/`, so what holds here holds on SQLite and PostgreSQL."""

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from ildpath.bootstrap import App, memory_app
from ildpath.clock import SimulatedClock
from ildpath.usecases import Actor
from persistence.memory_store import MemoryStore
from tests.integration.apps import enrol

__all__ = ["CLINICIAN", "COORDINATOR", "DAY", "enrol", "everything"]

DAY = date(2026, 3, 2)
CLINICIAN = Actor("dr-test", "clinician")
COORDINATOR = Actor("coordinator-test", "coordinator")


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(DAY)


@pytest.fixture
def app(clock: SimulatedClock) -> Iterator[App]:
    yield memory_app(clock)


def everything(app: App) -> tuple[Any, ...]:
    """What a refused request must leave as it was."""
    store = app.store
    assert isinstance(store, MemoryStore)
    return store.fingerprint()
