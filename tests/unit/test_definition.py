"""The pathway definition (definition.yaml): every configurable number lives there, and its
version is stamped on what the engine says."""

import dataclasses
from importlib import resources

import yaml

import pathway
from tests.unit.builders import alert_codes, evaluate_on, patient, plus, simulate

E = "2026-01-05"


def shipped_version():
    text = resources.files("pathway").joinpath("definition.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)["version"]


def three_point_fvc_decline():
    return (
        patient(enrolled=E)
        .start(E, "prednisone", dose=40)
        .transition(E, "start_induction")
        .transition("2026-01-20", "achieve_response")
        .pft("2026-02-02", fvc=80, dlco=60)
        .pft("2026-05-04", fvc=77, dlco=60)
        .build()
    )


def test_definition_yaml_has_a_version_string():
    version = shipped_version()

    assert isinstance(version, str) and version
    assert pathway.default_definition().version == version


def test_a_3_point_fvc_decline_is_not_progression_with_the_shipped_definition():
    evaluation = evaluate_on(three_point_fvc_decline(), "2026-05-04")

    assert "PROGRESSION_SUSPECTED" not in alert_codes(evaluation)


def test_lowering_the_fvc_threshold_in_a_copied_definition_changes_the_behaviour():
    stricter = dataclasses.replace(pathway.default_definition(), fvc_decline_points=3)

    evaluation = evaluate_on(three_point_fvc_decline(), "2026-05-04", stricter)

    assert "PROGRESSION_SUSPECTED" in alert_codes(evaluation)


def test_a_wider_triple_therapy_window_accepts_a_third_agent_on_day_f_plus_4():
    record = (
        patient(enrolled=E, anti_mda5="positive")
        .start(E, "prednisone", dose=60)
        .start(E, "tacrolimus", dose=4)
        .start(plus(E, 4), "cyclophosphamide")
        .build()
    )
    wider = dataclasses.replace(pathway.default_definition(), triple_therapy_window_days=4)

    assert "MDA5_STEP_UP_THERAPY" in alert_codes(evaluate_on(record, plus(E, 4)))
    assert "MDA5_STEP_UP_THERAPY" not in alert_codes(evaluate_on(record, plus(E, 4), wider))


def test_a_changed_high_dose_threshold_changes_when_pjp_prophylaxis_is_needed():
    record = patient(enrolled=E).start(E, "prednisone", dose=15).build()
    lower = dataclasses.replace(pathway.default_definition(), high_dose_prednisone_mg=15)

    assert "pjp_prophylaxis" not in {t.kind for t in evaluate_on(record, E).open_tasks()}
    assert "pjp_prophylaxis" in {t.kind for t in evaluate_on(record, E, lower).open_tasks()}


def busy_record():
    return (
        patient(enrolled=E, anti_mda5="positive", ild_course="rapidly_progressive")
        .start(E, "prednisone", dose=60)
        .start(E, "tacrolimus", dose=4)
        .oxygen(plus(E, 2), "high_flow")
        .build()
    )


def test_the_shipped_version_is_stamped_on_alerts_tasks_and_recommendations():
    _, evaluation = simulate(busy_record(), plus(E, 5))
    version = shipped_version()

    assert evaluation.version == version
    assert evaluation.alerts and {a.version for a in evaluation.alerts} == {version}
    assert evaluation.tasks and {t.version for t in evaluation.tasks} == {version}
    assert evaluation.recommendations
    assert {r.version for r in evaluation.recommendations} == {version}


def test_a_copied_definition_stamps_its_own_version():
    clinic = dataclasses.replace(pathway.default_definition(), version="clinic-2027.1")

    _, evaluation = simulate(busy_record(), plus(E, 5), clinic)

    stamped = {x.version for x in (*evaluation.alerts, *evaluation.tasks)}
    stamped |= {r.version for r in evaluation.recommendations}
    assert stamped == {"clinic-2027.1"}
