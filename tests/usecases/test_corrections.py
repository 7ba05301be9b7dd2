"""Corrections and entries entered in error (CLINICAL_SPEC §11): nothing deleted, both
audited, the rules judge the corrected record from then on."""

import json
from datetime import timedelta

import pytest

from ildpath.bootstrap import App
from ildpath.clock import SimulatedClock
from ildpath.errors import PatientClosed
from ildpath.usecases import (
    TriggerCommand,
    correct_entry,
    enter_in_error,
    evaluate_patient,
    fire_trigger,
    patient_summary,
    record_event,
    record_observation,
    record_therapy,
)
from ildpath.usecases.timeline import timeline
from pathway import PatientRecord, evaluate
from pathway.errors import InvalidValue
from persistence.errors import StaleWrite
from persistence.memory_store import MemoryStore
from persistence.ports import StoredRows

from .conftest import CLINICIAN, COORDINATOR, DAY, enrol, everything


def _record(app: App) -> tuple[PatientRecord, StoredRows]:
    with app.unit_of_work() as uow:
        patient = uow.patients.find("P-001")
        assert patient is not None
        return uow.patients.records([patient])[patient.id], uow.patients.rows(patient)


def _cmv_500(app: App) -> str:
    enrol(app)
    record_therapy(app, "P-001", "start", "prednisone", DAY, COORDINATOR, dose_mg_per_day=60)
    outcome = record_observation(app, "P-001", "cmv", {"iu_per_ml": 500}, DAY, COORDINATOR)
    assert [a.code for a in outcome.alerts_raised] == ["CMV_REACTIVATION"]
    return f"obs{outcome.entry_id}"


def test_a_corrected_cmv_result_no_longer_derives_cmv_reactivation(
    app: App, clock: SimulatedClock
) -> None:
    wrong = _cmv_500(app)
    clock.move_to(DAY + timedelta(days=1))

    outcome = correct_entry(
        app, "P-001", wrong, {"iu_per_ml": 0}, "transcribed from the wrong report", COORDINATOR
    )

    record, rows = _record(app)
    new = f"obs{outcome.entry_id}"
    assert new != wrong
    [retraction] = record.retractions
    assert (retraction.entry_id, retraction.replaced_by) == (wrong, new)
    assert (retraction.on, retraction.recorded_on) == (DAY, DAY + timedelta(days=1))
    assert retraction.reason == "transcribed from the wrong report"
    [cmv] = [o for o in record.known_on(clock.today()).observations if o.kind == "cmv"]
    assert (cmv.id, cmv.iu_per_ml, cmv.on) == (new, 0, DAY)
    now = evaluate(record, clock.today(), app.definition)
    assert "CMV_REACTIVATION" not in {a.code for a in now.alerts}
    then = evaluate(record, DAY, app.definition)  # what the engine knew before the correction
    assert "CMV_REACTIVATION" in {a.code for a in then.alerts}
    assert [r.actor for r in rows.retractions] == [COORDINATOR.name]
    assert len([o for o in rows.observations if o.kind == "cmv"]) == 2  # nothing deleted


def test_a_corrected_fvc_that_now_meets_progression_suspected_raises_it(app: App) -> None:
    enrol(app)
    record_therapy(app, "P-001", "start", "prednisone", DAY, CLINICIAN, dose_mg_per_day=60)
    fire_trigger(app, "P-001", TriggerCommand("start_induction", DAY), CLINICIAN)
    fire_trigger(app, "P-001", TriggerCommand("achieve_response", DAY), CLINICIAN)
    record_observation(app, "P-001", "pft", {"fvc_pct": 80, "dlco_pct": 60}, DAY, COORDINATOR)
    later = record_observation(
        app, "P-001", "pft", {"fvc_pct": 78, "dlco_pct": 60}, DAY, COORDINATOR
    )
    assert not later.alerts_raised

    outcome = correct_entry(
        app, "P-001", f"obs{later.entry_id}", {"fvc_pct": 74}, "74, not 78", CLINICIAN
    )

    [alert] = outcome.alerts_raised
    assert alert.code == "PROGRESSION_SUSPECTED"
    assert f"obs{outcome.entry_id}" in alert.evidence


def test_an_entry_entered_in_error_is_left_out_from_the_day_of_the_retraction(
    app: App, clock: SimulatedClock
) -> None:
    wrong = _cmv_500(app)
    clock.move_to(DAY + timedelta(days=2))

    outcome = enter_in_error(app, "P-001", wrong, "another patient's result", COORDINATOR)

    record, _ = _record(app)
    [retraction] = record.retractions
    assert retraction.replaced_by is None and outcome.entry_id is not None
    assert wrong in {o.id for o in record.known_on(DAY + timedelta(days=1)).observations}
    assert wrong not in {o.id for o in record.known_on(clock.today()).observations}


def test_a_correction_and_a_retraction_are_audited(app: App) -> None:
    wrong = _cmv_500(app)
    correct_entry(app, "P-001", wrong, {"iu_per_ml": 50}, "typo", CLINICIAN)

    store = app.store
    assert isinstance(store, MemoryStore)
    [event] = [r for r in store.rows("audit_event") if r["kind"] == "entry_corrected"]
    assert event["actor"] == CLINICIAN.name
    payload = json.loads(event["payload"])
    assert (payload["entry_id"], payload["reason"]) == (wrong, "typo")
    assert payload["replaced_by"].startswith("obs") and "#" not in payload["replaced_by"]


def test_a_correction_keeps_the_kind_and_checks_the_new_value(app: App) -> None:
    wrong = _cmv_500(app)
    before = everything(app)

    with pytest.raises(InvalidValue) as refused:
        correct_entry(app, "P-001", wrong, {"iu_per_ml": -1}, "typo", CLINICIAN)
    assert refused.value.field == "iu_per_ml"
    with pytest.raises(InvalidValue) as refused:
        correct_entry(app, "P-001", wrong, {"fvc_pct": 70}, "typo", CLINICIAN)
    assert refused.value.field == "cmv.fvc_pct"
    with pytest.raises(InvalidValue) as refused:
        correct_entry(app, "P-001", wrong, {"iu_per_ml": 500}, "no change", CLINICIAN)
    assert refused.value.field == "values"
    assert everything(app) == before


@pytest.mark.parametrize("reason", ["", "   ", "bad\x00reason", "rtl\u202eoverride"])
def test_a_correction_without_a_clear_reason_is_refused(app: App, reason: str) -> None:
    wrong = _cmv_500(app)
    before = everything(app)

    with pytest.raises(InvalidValue) as refused:
        enter_in_error(app, "P-001", wrong, reason, CLINICIAN)
    assert refused.value.field == "reason"
    assert everything(app) == before


@pytest.mark.parametrize("entry_id", ["obs999", "nonsense", "obs", "tr1x"])
def test_an_unknown_entry_is_refused(app: App, entry_id: str) -> None:
    _cmv_500(app)
    before = everything(app)

    with pytest.raises(InvalidValue) as refused:
        enter_in_error(app, "P-001", entry_id, "wrong", CLINICIAN)
    assert refused.value.field == "entry_id"
    assert everything(app) == before


def test_an_entry_already_taken_back_is_refused(app: App) -> None:
    wrong = _cmv_500(app)
    enter_in_error(app, "P-001", wrong, "another patient's", CLINICIAN)
    before = everything(app)

    with pytest.raises(InvalidValue, match="entered in error on"):
        correct_entry(app, "P-001", wrong, {"iu_per_ml": 5}, "again", CLINICIAN)
    with pytest.raises(InvalidValue, match="entered in error on"):
        enter_in_error(app, "P-001", wrong, "again", CLINICIAN)
    assert everything(app) == before


def test_a_transition_is_not_corrected_but_undone_by_a_trigger(app: App) -> None:
    enrol(app)
    record_therapy(app, "P-001", "start", "prednisone", DAY, CLINICIAN, dose_mg_per_day=60)
    fire_trigger(app, "P-001", TriggerCommand("start_induction", DAY), CLINICIAN)
    record, _ = _record(app)
    [transition] = record.transitions
    before = everything(app)

    with pytest.raises(InvalidValue, match="trigger") as refused:
        enter_in_error(app, "P-001", transition.id, "wrong", CLINICIAN)
    assert "ph, obs, rx, proc, vac" in refused.value.allowed
    assert everything(app) == before


def test_a_closed_patients_entries_are_not_corrected(app: App) -> None:
    wrong = _cmv_500(app)
    fire_trigger(
        app, "P-001", TriggerCommand("close", DAY, closing_reason="transferred"), CLINICIAN
    )
    before = everything(app)

    with pytest.raises(PatientClosed):
        enter_in_error(app, "P-001", wrong, "wrong", CLINICIAN)
    assert everything(app) == before


def test_a_start_whose_stop_stands_is_refused_naming_the_stop(app: App) -> None:
    enrol(app)
    start = record_therapy(app, "P-001", "start", "tacrolimus", DAY, CLINICIAN)
    stop = record_therapy(app, "P-001", "stop", "tacrolimus", DAY, CLINICIAN)
    before = everything(app)

    with pytest.raises(InvalidValue, match=f"rx{stop.entry_id}"):
        enter_in_error(app, "P-001", f"rx{start.entry_id}", "never given", CLINICIAN)
    with pytest.raises(InvalidValue, match=f"rx{stop.entry_id}"):
        correct_entry(
            app, "P-001", f"rx{start.entry_id}", {"agent": "cyclosporine"}, "wrong", CLINICIAN
        )
    assert everything(app) == before

    enter_in_error(app, "P-001", f"rx{stop.entry_id}", "not stopped", CLINICIAN)
    enter_in_error(app, "P-001", f"rx{start.entry_id}", "never given", CLINICIAN)
    summary = patient_summary(app, "P-001")
    assert summary.active_courses() == []


def test_a_wrong_agent_corrected_moves_the_alert_to_the_right_one(app: App) -> None:
    enrol(app, anti_mda5="positive", ild_course="rapidly_progressive")
    start = record_therapy(app, "P-001", "start", "infliximab", DAY, COORDINATOR)
    assert "AVOID_AGENT" in {a.code for a in start.alerts_raised}

    outcome = correct_entry(
        app, "P-001", f"rx{start.entry_id}", {"agent": "tacrolimus"}, "wrong drug", CLINICIAN
    )

    summary = patient_summary(app, "P-001")
    assert [c.agent for c in summary.active_courses()] == ["tacrolimus"]
    assert outcome.entry_id is not None


def test_a_phenotype_value_is_corrected_and_the_patient_row_follows(app: App) -> None:
    enrol(app, anti_mda5="pending")
    record, _ = _record(app)
    [mda5] = [e for e in record.phenotype if e.field == "anti_mda5"]
    before = everything(app)
    with pytest.raises(InvalidValue, match="enrolment"):
        enter_in_error(app, "P-001", mda5.id, "wrong", CLINICIAN)
    with pytest.raises(InvalidValue) as refused:
        correct_entry(app, "P-001", mda5.id, {"anti_ars": "positive"}, "wrong", CLINICIAN)
    assert refused.value.field == "values"
    assert everything(app) == before

    correct_entry(app, "P-001", mda5.id, {"anti_mda5": "positive"}, "lab result", CLINICIAN)

    summary = patient_summary(app, "P-001")
    assert summary.patient.anti_mda5 == "positive"
    assert summary.phenotype.anti_mda5 == "positive"


def test_an_amendment_entered_in_error_restores_the_value_before(app: App) -> None:
    enrol(app, weight_kg=60.0)
    record_event(app, "P-001", "amend", {"weight_kg": 6.5e1, "reason": "weighed"}, DAY, CLINICIAN)
    record, _ = _record(app)
    amended = record.phenotype[-1]

    enter_in_error(app, "P-001", amended.id, "other patient's weight", CLINICIAN)

    summary = patient_summary(app, "P-001")
    assert summary.patient.weight_kg == 60.0


def test_the_timeline_shows_what_was_taken_back_and_why(app: App) -> None:
    wrong = _cmv_500(app)
    outcome = correct_entry(app, "P-001", wrong, {"iu_per_ml": 0}, "wrong report", CLINICIAN)
    new = f"obs{outcome.entry_id}"

    lines = [e for e in timeline(patient_summary(app, "P-001")) if e.category == "observation"]

    assert [(e.text, e.retracted) for e in lines] == [
        ("CMV DNA: 500 IU/mL", f"corrected (by {new}) on {DAY}: wrong report"),
        ("CMV DNA: 0 IU/mL", ""),
    ]


def test_a_stale_correction_is_refused(app: App) -> None:
    wrong = _cmv_500(app)
    before = everything(app)

    with pytest.raises(StaleWrite):
        enter_in_error(app, "P-001", wrong, "wrong", CLINICIAN, expected_version=1)
    assert everything(app) == before


def test_corrections_come_in_through_the_dispatcher(app: App, clock: SimulatedClock) -> None:
    wrong = _cmv_500(app)
    outcome = record_event(
        app,
        "P-001",
        "correct",
        {"entry_id": wrong, "reason": "typo", "values": {"iu_per_ml": 0}},
        DAY,
        CLINICIAN,
    )
    record_event(
        app,
        "P-001",
        "entered_in_error",
        {"entry_id": f"obs{outcome.entry_id}", "reason": "not done"},
        DAY,
        CLINICIAN,
    )
    evaluate_patient(app, "P-001")

    record, _ = _record(app)
    assert [r.replaced_by is None for r in record.retractions] == [False, True]
    assert not [o for o in record.known_on(clock.today()).observations if o.kind == "cmv"]


def test_a_procedure_and_a_vaccination_are_corrected(app: App) -> None:
    enrol(app, enrolled_on=DAY - timedelta(days=5))
    procedure = record_event(app, "P-001", "procedure", "plasma_exchange", DAY, CLINICIAN)
    shot = record_event(app, "P-001", "vaccination", "influenza", DAY, CLINICIAN)

    correct_entry(
        app,
        "P-001",
        f"proc{procedure.entry_id}",
        {"kind": "pulmonary_rehabilitation"},
        "x",
        CLINICIAN,
    )
    correct_entry(
        app, "P-001", f"vac{shot.entry_id}", {}, "given the day before", CLINICIAN,
        on=DAY - timedelta(days=1),
    )  # fmt: skip

    record, _ = _record(app)
    now = record.known_on(DAY)
    assert [p.kind for p in now.procedures] == ["pulmonary_rehabilitation"]
    assert [v.on for v in now.vaccinations] == [DAY - timedelta(days=1)]
