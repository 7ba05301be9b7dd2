"""The pathway definition (definition.yaml): every configurable number lives there, and its
version is stamped on what the engine says."""

import dataclasses
import pickle
import re
import string
from importlib import resources

import pytest
import yaml

import pathway
from pathway import PathwayDefinition
from pathway.codes import ALERTS, RECOMMENDATIONS, TASKS
from pathway.errors import DefinitionError
from tests.unit.builders import alert_codes, alerts_of, evaluate_on, patient, plus, simulate

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


# -- read strictly: a definition the engine would misread is refused at start ---------------


def shipped_text():
    return resources.files("pathway").joinpath("definition.yaml").read_text(encoding="utf-8")


def edited(old, new):
    text = shipped_text()
    assert old in text, old
    return text.replace(old, new, 1)


def refusal(text):
    """The one line a person reads when ``text`` is their definition."""
    with pytest.raises(DefinitionError) as refused:
        PathwayDefinition.from_mapping(yaml.safe_load(text))
    assert "\n" not in str(refused.value)
    return str(refused.value)


def test_the_shipped_definition_loads_as_strictly_as_a_clinics_copy():
    assert PathwayDefinition.from_mapping(yaml.safe_load(shipped_text())) == (
        pathway.default_definition()
    )


def test_a_misspelt_task_key_is_refused_naming_it_and_the_keys_allowed():
    line = refusal(edited("  hrct_days: 14", "  hrct_dayz: 14"))

    assert line.startswith(
        "pathway definition: tasks.hrct_dayz: unknown key (allowed: bone_protection_days, "
        "cmv_test_days, first_pft_days, hrct_days, "
    )
    assert line.endswith("; tasks.hrct_days: missing key")


def test_the_unused_plasma_exchange_task_days_are_refused_the_window_is_the_salvage_one():
    line = refusal(edited("  cmv_test_days: 7", "  cmv_test_days: 7\n  plasma_exchange_days: 14"))

    assert line.startswith("pathway definition: tasks.plasma_exchange_days: unknown key")


def test_a_missing_key_is_refused_naming_its_full_path():
    line = refusal(edited("  cmv_grace_days: 0\n", ""))

    assert line == "pathway definition: audit.cmv_grace_days: missing key"


def test_a_missing_section_is_refused_by_name():
    text = edited("salvage:\n  plasma_exchange_window_days: 14", "")

    assert refusal(text) == "pathway definition: salvage: missing key"


def test_a_number_typed_in_words_is_refused():
    line = refusal(edited("high_dose_prednisone_mg: 20", "high_dose_prednisone_mg: twenty"))

    assert line == (
        "pathway definition: regimen.high_dose_prednisone_mg: expected a number (above 0), "
        "got 'twenty'"
    )


def test_a_number_in_quotes_is_refused_rather_than_converted():
    line = refusal(edited("fvc_decline_points: 5", 'fvc_decline_points: "5"'))

    assert "progression.fvc_decline_points: expected a number (above 0 and at most 100)" in line


@pytest.mark.parametrize("switch", ["true", "yes", "on"])
def test_a_yes_where_a_number_is_due_is_refused_not_read_as_1(switch):
    line = refusal(edited("dlco_decline_points: 10", f"dlco_decline_points: {switch}"))

    assert line == (
        "pathway definition: progression.dlco_decline_points: expected a number "
        "(above 0 and at most 100), got true"
    )


def test_a_number_where_a_switch_is_due_is_refused():
    line = refusal(
        edited("raise_on_amendment_while_active: true", "raise_on_amendment_while_active: 1")
    )

    assert line.endswith("safety.raise_on_amendment_while_active: expected true or false, got 1")


def test_a_fraction_of_a_day_is_refused():
    line = refusal(edited("plasma_exchange_window_days: 14", "plasma_exchange_window_days: 14.5"))

    assert line == (
        "pathway definition: salvage.plasma_exchange_window_days: expected a whole number of "
        "days (0 or more), got 14.5"
    )


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ("  bone_protection_days: 30", "  bone_protection_days: -30", "tasks.bone_protection_days"),
        ("  window_days: 365", "  window_days: 0", "progression.window_days"),
        ("pft_interval_months_low_risk: 6", "pft_interval_months_low_risk: 0", "tasks.pft_"),
        ("high_dose_prednisone_mg: 20", "high_dose_prednisone_mg: 0", "regimen.high_dose_"),
        ("fvc_decline_points: 5", "fvc_decline_points: 500", "progression.fvc_decline_points"),
        ("detection_threshold_iu_per_ml: 0", "detection_threshold_iu_per_ml: -1", "cmv.detect"),
        (
            "detection_threshold_copies_per_ml: 0",
            "detection_threshold_copies_per_ml: -1",
            "cmv.detection_threshold_copies_per_ml",
        ),
    ],
)
def test_a_negative_zero_or_impossible_number_is_refused_where_it_makes_no_sense(old, new, said):
    assert refusal(edited(old, new)).startswith(f"pathway definition: {said}")


def test_a_nested_key_is_named_by_its_full_path():
    line = refusal(edited("    prednisolone: 1.0", "    prednisolone: one"))

    assert line == (
        "pathway definition: regimen.prednisone_equivalence.prednisolone: expected a number "
        "(above 0), got 'one'"
    )


def test_an_agent_unknown_to_the_catalogue_has_no_prednisone_equivalence():
    line = refusal(edited("    prednisolone: 1.0", "    prednisolone: 1.0\n    dexamethasone: 6.7"))

    assert line.startswith(
        "pathway definition: regimen.prednisone_equivalence.dexamethasone: unknown key (allowed: "
        "methylprednisolone, prednisolone, prednisone)"
    )


def test_an_unknown_recommendation_code_is_refused_naming_its_place_in_the_list():
    line = refusal(edited("non_progressive: [GC_MMF]", "non_progressive: [GC_MMF, ADD_IVIGG]"))

    assert line.startswith(
        "pathway definition: recommendations.non_progressive[1]: unknown recommendation code "
        "'ADD_IVIGG' (known: ADD_CNI, ADD_IVIG, "
    )


def test_a_recommendation_listed_twice_or_an_empty_list_is_refused():
    twice = refusal(
        edited("salvage: [ADD_CNI, ADD_IVIG, CONSIDER_JAK]", "salvage: [ADD_CNI, ADD_CNI]")
    )
    empty = refusal(edited("non_progressive: [GC_MMF]", "non_progressive: []"))

    assert twice == "pathway definition: recommendations.salvage[1]: ADD_CNI is listed twice"
    assert empty == (
        "pathway definition: recommendations.non_progressive: expected a list of one or more "
        "recommendation codes, got []"
    )


def test_a_version_typed_as_a_number_is_refused():
    line = refusal(re.sub(r"^version: .*$", "version: 2026.10", shipped_text(), flags=re.M))

    assert line == "pathway definition: version: expected text, got 2026.1"


def test_every_problem_is_named_on_one_line_with_the_file(tmp_path):
    clinic = tmp_path / "clinic-definition.yaml"
    clinic.write_text(
        edited("  hrct_days: 14", "  hrct_days: fourteen").replace(
            "  cmv_test_days: 7", "  cmv_test_dayz: 7"
        ),
        encoding="utf-8",
    )

    with pytest.raises(DefinitionError) as refused:
        pathway.load_definition(clinic)

    assert str(refused.value) == (
        f"pathway definition {clinic}: tasks.cmv_test_dayz: unknown key (allowed: "
        "bone_protection_days, cmv_test_days, first_pft_days, hrct_days, "
        "influenza_revaccination_days, pft_interval_months_high_risk, "
        "pft_interval_months_low_risk, pjp_prophylaxis_days, pulmonary_rehabilitation_days, "
        "transplant_referral_days, vaccination_days); tasks.hrct_days: expected a whole number "
        "of days (0 or more), got 'fourteen'; tasks.cmv_test_days: missing key"
    )


def test_a_key_given_twice_is_refused_with_its_line(tmp_path):
    clinic = tmp_path / "definition.yaml"
    clinic.write_text(edited("  hrct_days: 14", "  hrct_days: 14\n  hrct_days: 7"), "utf-8")

    with pytest.raises(
        DefinitionError, match=r"not valid YAML: key 'hrct_days' is given twice \(line"
    ):
        pathway.load_definition(clinic)


def test_a_definition_file_that_is_not_there_is_named(tmp_path):
    missing = tmp_path / "missing.yaml"

    with pytest.raises(DefinitionError) as refused:
        pathway.load_definition(missing)

    assert str(refused.value) == (
        f"pathway definition {missing}: cannot be read (No such file or directory)"
    )


def test_the_definition_cannot_be_changed_once_read():
    definition = pathway.default_definition()

    with pytest.raises(dataclasses.FrozenInstanceError):
        definition.audit_grace_days = 7
    for change in (
        lambda: definition.task_days.__setitem__("hrct", 7),
        lambda: definition.prednisone_equivalence.update(prednisone=2.0),
        lambda: definition.recommendations.pop("salvage"),
    ):
        with pytest.raises(TypeError):
            change()
    assert pathway.default_definition().task_days["hrct"] == 14


def test_the_definition_is_one_value_hashed_and_handed_to_worker_processes_whole():
    definition = pathway.default_definition()

    assert hash(definition) == hash(PathwayDefinition.from_mapping(yaml.safe_load(shipped_text())))
    assert pickle.loads(pickle.dumps(definition)) == definition
    assert repr(pickle.loads(pickle.dumps(definition))) == repr(definition)


# -- messages state the numbers of the definition in force -----------------------------------


REFRACTORY = "2026-02-10"


def refractory_anti_mda5_disease():
    return (
        patient(enrolled="2026-02-02", anti_mda5="positive", ild_course="rapidly_progressive")
        .start("2026-02-02", "methylprednisolone", dose=1000, route="iv")
        .transition("2026-02-02", "start_induction")
        .transition(REFRACTORY, "declare_refractory", reason="no response to triple therapy")
        .build()
    )


def test_plasma_exchange_overdue_states_the_window_of_the_definition_in_force():
    shorter = dataclasses.replace(pathway.default_definition(), plasma_exchange_window_days=10)

    (shipped,) = alerts_of(
        evaluate_on(refractory_anti_mda5_disease(), plus(REFRACTORY, 15)), "PLASMA_EXCHANGE_OVERDUE"
    )
    (clinic,) = alerts_of(
        evaluate_on(refractory_anti_mda5_disease(), plus(REFRACTORY, 11), shorter),
        "PLASMA_EXCHANGE_OVERDUE",
    )

    assert "no plasma exchange recorded within 14 days of the refractory date" in shipped.message
    assert "no plasma exchange recorded within 10 days of the refractory date" in clinic.message


def test_the_plasma_exchange_recommendation_states_the_window_of_the_definition_in_force():
    shorter = dataclasses.replace(pathway.default_definition(), plasma_exchange_window_days=10)

    evaluation = evaluate_on(refractory_anti_mda5_disease(), REFRACTORY, shorter)

    (exchange,) = [r for r in evaluation.recommendations if r.code == "PLASMA_EXCHANGE"]
    assert exchange.message == (
        "Start plasma exchange early (within 10 days) with intensive immunosuppression."
    )


def test_step_up_therapy_states_the_triple_therapy_window_in_force():
    record = (
        patient(enrolled=E, anti_mda5="positive")
        .start(E, "prednisone", dose=60)
        .start(E, "tacrolimus", dose=4)
        .build()
    )
    wider = dataclasses.replace(pathway.default_definition(), triple_therapy_window_days=5)

    (alert,) = alerts_of(evaluate_on(record, plus(E, 6), wider), "MDA5_STEP_UP_THERAPY")

    assert "within the triple-therapy window of 5 days" in alert.message


def test_every_number_in_a_message_names_a_value_of_the_definition():
    values = {f.name for f in dataclasses.fields(PathwayDefinition)}
    for info in (*ALERTS.values(), *RECOMMENDATIONS.values()):
        named = {name for _, name, _, _ in string.Formatter().parse(info.message) if name}
        assert named <= values, info.code


def test_task_messages_state_no_definition_value_as_the_dashboard_shows_them_as_written():
    for info in TASKS.values():
        assert "{" not in info.message, info.code
