"""Recommendations by state (§4-6) and MDA5_STATUS_UNKNOWN (§4)."""

import pytest

from tests.unit.builders import alert_codes, evaluate_on, patient, recommended

E = "2026-06-01"
PHENOTYPE_A = ["MDA5_TRIPLE_GC_TAC_CYC", "MDA5_TRIPLE_GC_TAC_RTX", "MDA5_GC_MMF_CYC", "ADD_IVIG"]
ESCALATION = ["ADD_CNI", "ADD_IVIG", "CONSIDER_JAK"]


def in_state(path, on="2026-06-10", **phenotype):
    builder = patient(enrolled=E, **phenotype).start(E, "prednisone", dose=60)
    for trigger in path:
        builder.transition(E, trigger)
    return evaluate_on(builder.build(), on)


# -- section 4 -----------------------------------------------------------------------------------


@pytest.mark.parametrize("course", ["non_progressive", "progressive", "rapidly_progressive"])
def test_anti_mda5_positive_is_offered_phenotype_a_triple_therapy_in_order(course):
    assert recommended(in_state([], anti_mda5="positive", ild_course=course)) == PHENOTYPE_A


def test_anti_mda5_negative_non_progressive_is_offered_glucocorticoid_with_mycophenolate():
    assert recommended(in_state([], ild_course="non_progressive")) == ["GC_MMF"]


@pytest.mark.parametrize("course", ["progressive", "rapidly_progressive"])
def test_anti_mda5_negative_progressive_is_offered_pulse_mp_cyclophosphamide_first(course):
    assert recommended(in_state([], ild_course=course)) == ["PULSE_MP_CYC", "PULSE_MP_RTX"]


def test_anti_ars_positive_progressive_ild_moves_rituximab_first():
    evaluation = in_state([], ild_course="progressive", anti_ars="positive")

    assert recommended(evaluation) == ["PULSE_MP_RTX", "PULSE_MP_CYC"]


@pytest.mark.parametrize("status", ["pending", "unknown"])
def test_pending_anti_mda5_without_positivity_is_offered_phenotype_c(status):
    evaluation = in_state([], anti_mda5=status, ild_course="rapidly_progressive")

    assert recommended(evaluation) == ["PULSE_MP_CYC", "PULSE_MP_RTX"]


def test_first_line_induction_keeps_the_initial_regimen_list():
    evaluation = in_state(["start_induction"], anti_mda5="positive")

    assert recommended(evaluation) == PHENOTYPE_A


def test_recommendations_carry_rank_and_severity_info():
    evaluation = in_state([], anti_mda5="positive")

    assert [r.rank for r in evaluation.recommendations] == [1, 2, 3, 4]
    assert all(r.severity == "info" and r.message and r.source for r in evaluation.recommendations)


# -- section 5: escalation -----------------------------------------------------------------------

PROGRESSION = ["start_induction", "achieve_response", "detect_progression"]


def test_progression_is_offered_the_escalation_list_cni_first():
    assert recommended(in_state(PROGRESSION, ild_course="progressive")) == ESCALATION


def test_respiratory_muscle_weakness_moves_ivig_first_in_escalation():
    evaluation = in_state(PROGRESSION, flags=["respiratory_muscle_weakness"])

    assert recommended(evaluation) == ["ADD_IVIG", "ADD_CNI", "CONSIDER_JAK"]


def test_anti_ars_positive_keeps_cni_first_despite_respiratory_muscle_weakness():
    evaluation = in_state(PROGRESSION, flags=["respiratory_muscle_weakness"], anti_ars="positive")

    assert recommended(evaluation) == ESCALATION


def test_re_induction_after_progression_is_line_2_and_shows_the_escalation_list():
    evaluation = in_state([*PROGRESSION, "start_induction"], anti_mda5="positive")

    assert evaluation.state == "induction"
    assert recommended(evaluation) == ESCALATION


# -- section 6: salvage --------------------------------------------------------------------------


def test_anti_mda5_positive_salvage_offers_plasma_exchange_first():
    evaluation = in_state(["declare_refractory"], anti_mda5="positive")

    assert recommended(evaluation) == ["PLASMA_EXCHANGE", "CONSIDER_JAK", "ADD_IVIG"]


def test_anti_mda5_negative_salvage_offers_calcineurin_inhibitor_first():
    evaluation = in_state(["declare_refractory"], anti_mda5="negative")

    assert recommended(evaluation) == ["ADD_CNI", "ADD_IVIG", "CONSIDER_JAK"]


# -- states without recommendations --------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        ["start_induction", "achieve_response"],
        ["refer_transplant"],
        ["close"],
    ],
    ids=["monitoring", "transplant_referral", "closed"],
)
def test_no_recommendations_in_monitoring_transplant_referral_or_closed(path):
    assert recommended(in_state(path, anti_mda5="positive")) == []


# -- MDA5_STATUS_UNKNOWN -------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["pending", "unknown"])
def test_unknown_anti_mda5_in_rapidly_progressive_ild_raises_status_warning(status):
    evaluation = in_state([], anti_mda5=status, ild_course="rapidly_progressive")

    (alert,) = [a for a in evaluation.alerts if a.code == "MDA5_STATUS_UNKNOWN"]
    assert alert.severity == "warning"


@pytest.mark.parametrize("status", ["positive", "negative"])
def test_known_anti_mda5_in_rapidly_progressive_ild_raises_no_status_warning(status):
    evaluation = in_state([], anti_mda5=status, ild_course="rapidly_progressive")

    assert "MDA5_STATUS_UNKNOWN" not in alert_codes(evaluation)


@pytest.mark.parametrize("course", ["non_progressive", "progressive"])
@pytest.mark.parametrize("status", ["pending", "unknown"])
def test_unknown_anti_mda5_without_rapid_progression_raises_no_status_warning(status, course):
    evaluation = in_state([], anti_mda5=status, ild_course=course)

    assert "MDA5_STATUS_UNKNOWN" not in alert_codes(evaluation)


def test_amending_anti_mda5_to_negative_ends_the_status_warning():
    record = (
        patient(enrolled=E, anti_mda5="pending", ild_course="rapidly_progressive")
        .amend("2026-06-05", "anti_mda5", "negative")
        .build()
    )

    assert "MDA5_STATUS_UNKNOWN" in alert_codes(evaluate_on(record, "2026-06-04"))
    assert "MDA5_STATUS_UNKNOWN" not in alert_codes(evaluate_on(record, "2026-06-05"))
