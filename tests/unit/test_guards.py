"""Clinical guards of the triggers (§3): each refusal names what is missing."""

import pytest

import pathway
from pathway.chart import Chart
from pathway.rules.guards import TriggerRequest, guard_failures
from tests.unit.builders import day, patient

E = "2026-07-06"
D = "2026-07-13"


def failures(builder, trigger, on=D, **request):
    chart = Chart(builder.build(), pathway.default_definition())
    return guard_failures(chart, TriggerRequest(trigger, day(on), **request))


# -- start_induction -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "agent",
    [
        "prednisone",
        "tacrolimus",
        "mycophenolate_mofetil",
        "cyclophosphamide",
        "rituximab",
        "ivig",
        "tofacitinib",
    ],
)
def test_start_induction_holds_with_an_immunosuppressive_agent_active(agent):
    assert failures(patient(enrolled=E).start(D, agent), "start_induction") == []


@pytest.mark.parametrize("agent", ["nintedanib", "tmp_smx"])
def test_start_induction_on_an_antifibrotic_or_tmp_smx_alone_is_refused(agent):
    (missing,) = failures(patient(enrolled=E).start(D, agent), "start_induction")

    assert "no immunosuppressive agent" in missing


def test_start_induction_with_no_agent_at_all_is_refused_naming_the_date():
    (missing,) = failures(patient(enrolled=E), "start_induction")

    assert "2026-07-13" in missing


def test_start_induction_the_day_the_only_agent_is_stopped_is_refused():
    builder = patient(enrolled=E).start(E, "prednisone", dose=60).stop(D, "prednisone")

    assert failures(builder, "start_induction") != []


def test_start_induction_with_an_agent_started_later_is_refused():
    builder = patient(enrolled=E).start("2026-07-14", "prednisone", dose=60)

    assert failures(builder, "start_induction") != []


def test_start_induction_from_diagnosis_with_unknown_ild_course_is_refused():
    builder = patient(enrolled=E, ild_course=None).start(D, "prednisone", dose=60)

    (missing,) = failures(builder, "start_induction")

    assert "ILD course" in missing


def test_start_induction_from_progression_does_not_need_the_ild_course_again():
    builder = (
        patient(enrolled=E, ild_course=None)
        .start(E, "prednisone", dose=60)
        .transition(E, "start_induction")
        .transition(E, "achieve_response")
        .transition("2026-07-10", "detect_progression", reason="HRCT worse")
    )

    assert failures(builder, "start_induction") == []


# -- detect_progression --------------------------------------------------------------------------


def test_detect_progression_holds_on_a_5_point_fvc_decline_without_a_reason():
    builder = patient(enrolled=E).pft(E, fvc=80, dlco=60).pft(D, fvc=75, dlco=60)

    assert failures(builder, "detect_progression") == []


def test_detect_progression_without_decline_or_reason_is_refused():
    builder = patient(enrolled=E).pft(E, fvc=80, dlco=60).pft(D, fvc=76, dlco=60)

    (missing,) = failures(builder, "detect_progression")

    assert "PROGRESSION_SUSPECTED" in missing and "reason" in missing


def test_detect_progression_ignores_pfts_after_the_trigger_date():
    builder = patient(enrolled=E).pft(E, fvc=80, dlco=60).pft("2026-07-20", fvc=70, dlco=60)

    assert failures(builder, "detect_progression") != []


def test_detect_progression_on_a_clinicians_reason_holds_without_decline():
    builder = patient(enrolled=E)

    assert failures(builder, "detect_progression", reason="worse GGO on HRCT") == []


# -- reasons, outcomes, closing reasons ----------------------------------------------------------


@pytest.mark.parametrize("trigger", ["declare_refractory", "refer_transplant"])
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_refractory_and_referral_need_a_non_blank_reason(trigger, reason):
    assert failures(patient(enrolled=E), trigger, reason=reason) == ["a reason is required"]


@pytest.mark.parametrize("trigger", ["declare_refractory", "refer_transplant"])
def test_refractory_and_referral_hold_with_a_reason(trigger):
    assert failures(patient(enrolled=E), trigger, reason="life-threatening disease") == []


@pytest.mark.parametrize("outcome", ["declined", "not_eligible", "listed_continue_treatment"])
def test_return_from_referral_holds_with_a_valid_outcome(outcome):
    assert failures(patient(enrolled=E), "return_from_referral", outcome=outcome) == []


@pytest.mark.parametrize("outcome", [None, "accepted"])
def test_return_from_referral_without_a_valid_outcome_is_refused_listing_outcomes(outcome):
    (missing,) = failures(patient(enrolled=E), "return_from_referral", outcome=outcome)

    assert "declined, not_eligible, listed_continue_treatment" in missing


@pytest.mark.parametrize("reason", ["deceased", "transferred", "transplanted", "lost_to_follow_up"])
def test_close_holds_with_a_valid_closing_reason(reason):
    assert failures(patient(enrolled=E), "close", closing_reason=reason) == []


@pytest.mark.parametrize("reason", [None, "recovered"])
def test_close_without_a_valid_closing_reason_is_refused_listing_reasons(reason):
    (missing,) = failures(patient(enrolled=E), "close", closing_reason=reason)

    assert "deceased, transferred, transplanted, lost_to_follow_up" in missing


def test_achieve_response_has_no_guard():
    assert failures(patient(enrolled=E), "achieve_response") == []
