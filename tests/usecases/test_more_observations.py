"""Revision 2's observations through the use cases (§11, §8): laboratory results (one entry per
analyte), resting SpO2, six-minute walks and CMV loads in copies/mL or below a limit; what is
out of range or unknown is refused naming the field and what is allowed, and nothing is
written; each entry is audited; a corrected value is checked as a new one is. The same on the
memory store and on a SQLite file."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from ildpath.bootstrap import App, memory_app
from ildpath.clock import SimulatedClock
from ildpath.usecases import correct_entry, patient_summary, record_event, record_therapy
from ildpath.usecases.timeline import timeline
from pathway.errors import InvalidValue
from persistence.memory_store import MemoryStore
from tests.integration.apps import clinic

from .conftest import CLINICIAN, DAY, enrol


@pytest.fixture(params=["memory", "sqlite"])
def app(request: pytest.FixtureRequest, clock: SimulatedClock, tmp_path: Path) -> Iterator[App]:
    if request.param == "memory":
        yield memory_app(clock)
        return
    with clinic(f"sqlite:///{tmp_path}/clinic.db", DAY) as (sqlite_app, _):
        yield sqlite_app


def _fingerprint(app: App) -> Any:
    """All the rows a refusal must leave as they were (and the patient's version)."""
    store = app.store
    if isinstance(store, MemoryStore):
        return store.fingerprint()
    summary = patient_summary(app, "P-001")
    return summary.patient.version, len(summary.observations), len(summary.alerts)


def _audited(app: App, kind: str) -> list[dict[str, Any]]:
    store = app.store
    if isinstance(store, MemoryStore):
        rows = [r for r in store.rows("audit_event") if r["kind"] == kind]
    else:
        with app.engine.connect() as connection:
            rows = [
                dict(r._mapping)
                for r in connection.execute(
                    text("SELECT payload FROM audit_event WHERE kind = :kind ORDER BY id"),
                    {"kind": kind},
                )
            ]
    return [json.loads(r["payload"]) for r in rows]


def _record(app: App, kind: str, body: object) -> Any:
    return record_event(app, "P-001", kind, body, DAY, CLINICIAN)


def test_a_lab_event_with_two_analytes_is_two_audited_observations(app: App) -> None:
    enrol(app)

    outcome = _record(app, "lab", {"ferritin": 1800, "kl6": 1200})

    assert len(outcome.entry_ids) == 2 and outcome.entry_id == outcome.entry_ids[-1]
    rows = patient_summary(app, "P-001").observations
    assert [(r.kind, r.ferritin, r.kl6) for r in rows] == [
        ("lab", 1800, None),
        ("lab", None, 1200),
    ]
    payloads = _audited(app, "observation_recorded")
    assert [(p["ferritin"] if "ferritin" in p else p["kl6"]) for p in payloads] == [1800, 1200]
    assert [p["id"] for p in payloads] == list(outcome.entry_ids)
    assert not outcome.alerts_raised


def test_the_new_observations_are_recorded_and_read_with_their_units(app: App) -> None:
    enrol(app)
    for kind, body in (
        ("lab", {"ck": 240, "crp": 85}),
        ("spo2", 91),
        ("six_minute_walk", {"metres": 320, "nadir_spo2": 86}),
        ("cmv", {"iu_per_ml": 35, "comparator": "<"}),
        ("cmv", {"copies_per_ml": 500}),
    ):
        _record(app, kind, body)

    said = [e.text for e in timeline(patient_summary(app, "P-001")) if e.category == "observation"]
    assert said == [
        "CK: 240 U/L",
        "CRP: 85 mg/L",
        "SpO2 at rest: 91%",
        "Six-minute walk: 320 m, nadir SpO2 86%",
        "CMV DNA: < 35 IU/mL",
        "CMV DNA: 500 copies/mL",
    ]
    cmv = _audited(app, "observation_recorded")[-2]
    assert (cmv["iu_per_ml"], cmv["comparator"]) == (35, "<")


@pytest.mark.parametrize(
    ("kind", "body", "field", "said"),
    [
        ("lab", {"ldh": 300}, "lab.ldh", "a known analyte: ferritin, ck, kl6, crp"),
        ("lab", {"ferritin": 2_000_000}, "ferritin", "from 0 to 1,000,000 (ng/mL)"),
        ("lab", {"kl6": 50_001}, "kl6", "from 0 to 50,000 (U/mL)"),
        ("lab", {"crp": "85"}, "crp", "a number, not text"),
        ("lab", {"ck": True}, "ck", "a number, not true/false"),
        ("spo2", 49, "spo2", "from 50 to 100 (%)"),
        ("six_minute_walk", {"metres": 1001}, "metres", "from 0 to 1000 (m)"),
        ("six_minute_walk", {"metres": 300, "nadir_spo2": 101}, "nadir_spo2", "50 to 100 (%)"),
        ("six_minute_walk", {"nadir_spo2": 88}, "six_minute_walk", "at least one of metres"),
        ("cmv", {"iu_per_ml": 1, "copies_per_ml": 1}, "cmv.copies_per_ml", "exactly one of"),
        ("cmv", {"copies_per_ml": 2e9}, "copies_per_ml", "1,000,000,000 (copies/mL)"),
        ("cmv", {"iu_per_ml": 35, "comparator": "lt"}, "comparator", "<, <=, >, >="),
        ("cmv", {"comparator": "<"}, "cmv", "at least one of iu_per_ml, copies_per_ml"),
    ],
)
def test_an_implausible_or_unknown_observation_is_refused_and_writes_nothing(
    app: App, kind: str, body: object, field: str, said: str
) -> None:
    enrol(app)
    before = _fingerprint(app)

    with pytest.raises(InvalidValue) as refused:
        _record(app, kind, body)

    assert refused.value.field == field
    assert said in str(refused.value)
    assert _fingerprint(app) == before


def test_a_corrected_ferritin_replaces_the_old_and_is_checked_as_a_new_one(app: App) -> None:
    enrol(app)
    wrong = f"obs{_record(app, 'lab', {'ferritin': 180}).entry_id}"
    before = _fingerprint(app)

    with pytest.raises(InvalidValue) as refused:
        correct_entry(app, "P-001", wrong, {"ferritin": 1_800_000}, "typo", CLINICIAN)
    assert refused.value.field == "ferritin"
    with pytest.raises(InvalidValue):
        correct_entry(app, "P-001", wrong, {"kl6": 1200}, "two analytes", CLINICIAN)
    assert _fingerprint(app) == before

    fixed = correct_entry(app, "P-001", wrong, {"ferritin": 1800}, "a zero was lost", CLINICIAN)

    summary = patient_summary(app, "P-001")
    standing = [(r.kind, r.ferritin) for r in summary.standing_observations()]
    assert standing == [("lab", 1800)]
    assert summary.retraction(wrong) is not None
    assert fixed.entry_id is not None and f"obs{fixed.entry_id}" != wrong


def test_a_below_limit_result_corrected_to_a_detected_load_raises_cmv_reactivation(
    app: App,
) -> None:
    enrol(app)
    record_therapy(app, "P-001", "start", "prednisone", DAY, CLINICIAN, dose_mg_per_day=60)
    below = _record(app, "cmv", {"iu_per_ml": 35, "comparator": "<"})
    assert not below.alerts_raised

    outcome = correct_entry(
        app, "P-001", f"obs{below.entry_id}", {"comparator": None}, "35 detected", CLINICIAN
    )

    assert [a.code for a in outcome.alerts_raised] == ["CMV_REACTIVATION"]
    assert "35 IU/mL" in outcome.alerts_raised[0].message
