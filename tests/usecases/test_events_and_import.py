"""The one dispatcher, and the bulk import that decides whole histories with it."""

import json
from datetime import date, timedelta

import pytest

from bench.cohort import patient_lines
from ildpath.bootstrap import App
from ildpath.usecases import EVENT_KINDS, patient_summary, record_event
from ildpath.usecases.bulk_import import ImportRefused, import_histories
from pathway.errors import InvalidValue

from .conftest import CLINICIAN, DAY, enrol, everything


def test_every_kind_of_event_reaches_its_use_case(app: App) -> None:
    enrol(app)
    events = [
        ("pft", {"fvc_pct": 70, "dlco_pct": 50}),
        ("cmv", {"iu_per_ml": 0}),
        ("cmv", {"copies_per_ml": 35, "comparator": "<"}),
        ("lab", {"ferritin": 1800, "kl6": 1200}),
        ("spo2", 91),
        ("six_minute_walk", {"metres": 320, "nadir_spo2": 86}),
        ("hrct", {"finding": "NSIP", "extensive_ggo": False}),
        ("oxygen", "low_flow"),
        ("start", {"agent": "prednisone", "dose_mg_per_day": 60}),
        ("trigger", {"trigger": "start_induction", "reason": "started"}),
        ("stop", "prednisone"),
        ("procedure", "pulmonary_rehabilitation"),
        ("vaccination", {"kind": "influenza"}),
        ("amend", {"weight_kg": 58, "reason": "weighed"}),
        ("correct", {"entry_id": "obs1", "reason": "typo", "values": {"fvc_pct": 71}}),
        ("entered_in_error", {"entry_id": "proc1", "reason": "not done"}),
    ]
    for kind, body in events:
        outcome = record_event(app, "P-001", kind, body, DAY, CLINICIAN)
        assert outcome.entry_id is not None, kind
    assert {kind for kind, _ in events} | {"acknowledge"} == set(EVENT_KINDS)
    assert patient_summary(app, "P-001").patient.weight_kg == 58


def test_an_unknown_kind_or_field_is_refused_naming_what_is_allowed(app: App) -> None:
    enrol(app)
    before = everything(app)

    with pytest.raises(InvalidValue) as kind:
        record_event(app, "P-001", "biopsy", {}, DAY, CLINICIAN)
    assert kind.value.field == "kind" and "pft" in kind.value.allowed
    with pytest.raises(InvalidValue) as field:
        record_event(app, "P-001", "pft", {"fev1_pct": 60}, DAY, CLINICIAN)
    assert field.value.field == "pft.fev1_pct" and "fvc_pct" in field.value.allowed
    assert everything(app) == before


TODAY = date(2026, 11, 21)


def test_an_imported_history_is_written_and_judged_on_the_memory_store(clock) -> None:
    from ildpath.bootstrap import memory_app

    clock.move_to(TODAY)
    app = memory_app(clock)
    lines = list(patient_lines(1, 6, TODAY))

    report = import_histories(app, lambda: iter(lines), CLINICIAN, batch=4)

    assert report.patients == 6 and report.skipped == []
    assert report.events == sum(1 + len(json.loads(line)["events"]) for line in lines)
    summary = patient_summary(app, "BENCH-000001", TODAY)
    assert summary.patient.last_evaluated_on == TODAY
    assert summary.tasks and summary.transitions


def test_one_bad_line_refuses_the_whole_file(clock) -> None:
    from ildpath.bootstrap import memory_app

    clock.move_to(TODAY)
    app = memory_app(clock)
    bad = json.loads(next(iter(patient_lines(2, 2, TODAY))))
    bad["events"].append(
        {"on": (TODAY + timedelta(days=1)).isoformat(), "vaccination": "influenza"}
    )
    lines = [*patient_lines(1, 1, TODAY), json.dumps(bad)]

    with pytest.raises(ImportRefused, match=r"line 2: events\[\d+\]\.on"):
        import_histories(app, lambda: iter(lines), CLINICIAN)
    assert everything(app)[0] == 0
