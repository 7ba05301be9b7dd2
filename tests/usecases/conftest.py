"""The use-case tier: every use case on the memory store (no database), so the whole tier
runs in seconds. The memory store is held to the SQL stores' behaviour by
`tests/contract/`, so what holds here holds on SQLite and PostgreSQL."""

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from ildpath.bootstrap import App, memory_app
from ildpath.clock import SimulatedClock
from ildpath.usecases import Actor, EnrolPatient, Outcome, enrol_patient
from persistence.memory_store import MemoryStore

DAY = date(2026, 3, 2)
CLINICIAN = Actor("dr-test", "clinician")
COORDINATOR = Actor("coordinator-test", "coordinator")


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(DAY)


@pytest.fixture
def app(clock: SimulatedClock) -> Iterator[App]:
    yield memory_app(clock)


def enrol(app: App, patient_id: str = "P-001", **overrides: Any) -> Outcome:
    fields: dict[str, Any] = {
        "id": patient_id,
        "sex": "female",
        "birth_date": date(1970, 5, 1),
        "enrolled_on": app.clock.today(),
        "diagnosis": "dermatomyositis",
        "anti_mda5": "negative",
        "anti_ars": "negative",
        "ild_course": "non_progressive",
        "risk_factors": (),
        "weight_kg": 60.0,
    }
    fields.update(overrides)
    return enrol_patient(app, EnrolPatient(**fields), CLINICIAN)


def everything(app: App) -> tuple[Any, ...]:
    """What a refused request must leave as it was."""
    store = app.store
    assert isinstance(store, MemoryStore)
    return store.fingerprint()
