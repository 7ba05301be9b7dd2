"""Agents to avoid (§7, [S4]): alerts raised when the therapy is recorded, never refusals."""

import pytest

from tests.unit.builders import alert_codes, alerts_of, evaluate_on, patient, plus

E = "2026-05-04"
D = "2026-05-11"


# -- AVOID_FIRST_LINE_AGENT ----------------------------------------------------------------------


@pytest.mark.parametrize("agent", ["methotrexate", "leflunomide", "azathioprine"])
def test_first_line_slow_agent_in_anti_mda5_positive_disease_raises_critical_alert(agent):
    record = patient(enrolled=E, anti_mda5="positive").start(D, agent, dose=15).build()

    (alert,) = alerts_of(evaluate_on(record, D), "AVOID_FIRST_LINE_AGENT")

    assert alert.severity == "critical"
    assert alert.evidence == (record.therapies[-1].id,)


@pytest.mark.parametrize("agent", ["methotrexate", "leflunomide", "azathioprine"])
def test_first_line_slow_agent_in_rapidly_progressive_ild_raises_alert(agent):
    record = (
        patient(enrolled=E, anti_mda5="negative", ild_course="rapidly_progressive")
        .start(D, agent, dose=15)
        .build()
    )

    assert "AVOID_FIRST_LINE_AGENT" in alert_codes(evaluate_on(record, D))


@pytest.mark.parametrize("course", ["non_progressive", "progressive"])
def test_first_line_azathioprine_in_anti_mda5_negative_non_rapid_ild_raises_no_alert(course):
    record = (
        patient(enrolled=E, anti_mda5="negative", ild_course=course)
        .start(D, "azathioprine", dose=100)
        .build()
    )

    assert "AVOID_FIRST_LINE_AGENT" not in alert_codes(evaluate_on(record, D))


def mda5_positive_progressing_on(progression_day):
    return (
        patient(enrolled=E, anti_mda5="positive", ild_course="rapidly_progressive")
        .start(E, "methylprednisolone", dose=1000, route="iv")
        .transition(E, "start_induction")
        .transition("2026-05-08", "achieve_response")
        .transition(progression_day, "detect_progression", reason="FVC decline")
    )


def test_methotrexate_started_on_the_day_progression_is_detected_is_line_2_and_not_alerted():
    record = mda5_positive_progressing_on(D).start(D, "methotrexate", dose=15).build()

    assert "AVOID_FIRST_LINE_AGENT" not in alert_codes(evaluate_on(record, D))


def test_methotrexate_started_the_day_before_progression_is_line_1_and_alerted():
    record = mda5_positive_progressing_on(D).start(plus(D, -1), "methotrexate", dose=15).build()

    assert "AVOID_FIRST_LINE_AGENT" in alert_codes(evaluate_on(record, D))


# -- AVOID_AGENT ---------------------------------------------------------------------------------

AVOIDED_IN_MDA5 = [
    "infliximab",
    "adalimumab",
    "etanercept",
    "certolizumab",
    "golimumab",
    "abatacept",
    "tocilizumab",
]


@pytest.mark.parametrize("agent", AVOIDED_IN_MDA5)
def test_tnf_inhibitor_abatacept_or_tocilizumab_in_anti_mda5_positive_raises_avoid_agent(agent):
    record = patient(enrolled=E, anti_mda5="positive").start(D, agent).build()

    (alert,) = alerts_of(evaluate_on(record, D), "AVOID_AGENT")

    assert alert.severity == "critical"
    assert agent in alert.message


@pytest.mark.parametrize("agent", AVOIDED_IN_MDA5)
def test_the_same_agent_in_anti_mda5_negative_disease_raises_no_alert(agent):
    record = patient(enrolled=E, anti_mda5="negative").start(D, agent).build()

    assert "AVOID_AGENT" not in alert_codes(evaluate_on(record, D))


def test_rituximab_in_anti_mda5_positive_disease_is_not_an_agent_to_avoid():
    record = patient(enrolled=E, anti_mda5="positive").start(D, "rituximab").build()

    assert "AVOID_AGENT" not in alert_codes(evaluate_on(record, D))


# -- ANTIFIBROTIC_IN_ACUTE_RPILD -----------------------------------------------------------------

PATHS = {
    "diagnosis": [],
    "induction": ["start_induction"],
    "salvage": ["declare_refractory"],
    "monitoring": ["start_induction", "achieve_response"],
    "progression": ["start_induction", "achieve_response", "detect_progression"],
}


def antifibrotic_in(state, agent="nintedanib", course="rapidly_progressive"):
    builder = patient(enrolled=E, ild_course=course).start(E, "prednisone", dose=60)
    for trigger in PATHS[state]:
        builder.transition(E, trigger)
    return builder.start(D, agent, dose=300).build()


@pytest.mark.parametrize("agent", ["nintedanib", "pirfenidone"])
@pytest.mark.parametrize("state", ["diagnosis", "induction", "salvage"])
def test_antifibrotic_in_acute_rapidly_progressive_ild_raises_critical_alert(state, agent):
    (alert,) = alerts_of(
        evaluate_on(antifibrotic_in(state, agent), D), "ANTIFIBROTIC_IN_ACUTE_RPILD"
    )

    assert alert.severity == "critical"


@pytest.mark.parametrize("state", ["monitoring", "progression"])
def test_antifibrotic_started_outside_the_acute_states_raises_no_alert(state):
    evaluation = evaluate_on(antifibrotic_in(state), D)

    assert "ANTIFIBROTIC_IN_ACUTE_RPILD" not in alert_codes(evaluation)


@pytest.mark.parametrize("course", ["non_progressive", "progressive"])
def test_antifibrotic_in_non_rapidly_progressive_ild_raises_no_alert(course):
    evaluation = evaluate_on(antifibrotic_in("induction", course=course), D)

    assert "ANTIFIBROTIC_IN_ACUTE_RPILD" not in alert_codes(evaluation)


def test_avoid_agent_alert_still_holds_weeks_after_the_start():
    record = patient(enrolled=E, anti_mda5="positive").start(D, "infliximab").build()

    evaluation = evaluate_on(record, plus(D, 30))

    assert "AVOID_AGENT" in alert_codes(evaluation)


def test_amendment_to_anti_mda5_positive_while_on_a_tnf_inhibitor_raises_avoid_agent():
    record = (
        patient(enrolled=E, anti_mda5="pending")
        .start(D, "adalimumab")
        .amend(plus(D, 7), "anti_mda5", "positive")
        .build()
    )

    assert "AVOID_AGENT" not in alert_codes(evaluate_on(record, plus(D, 6)))
    assert "AVOID_AGENT" in alert_codes(evaluate_on(record, plus(D, 7)))


def test_tnf_inhibitor_stopped_before_anti_mda5_came_back_positive_raises_no_alert():
    record = (
        patient(enrolled=E, anti_mda5="pending")
        .start(D, "adalimumab")
        .stop(plus(D, 3), "adalimumab")
        .amend(plus(D, 7), "anti_mda5", "positive")
        .build()
    )

    assert "AVOID_AGENT" not in alert_codes(evaluate_on(record, plus(D, 10)))
