"""Transplant referral (§6, [S4]; §9 for every patient): TRANSPLANT_REFERRAL_NEEDED on high-flow
oxygen, mechanical ventilation or ECMO with no referral since; the `transplant_referral` task,
due the same day, also opened for anti-MDA5 positive disease at enrolment or amendment."""

import pytest

from tests.unit.builders import (
    alert_codes,
    alerts_of,
    day,
    evaluate_on,
    open_task,
    patient,
    plus,
    raised,
    simulate,
    tasks_of,
)

E = "2026-04-06"
O2 = "2026-04-20"


@pytest.mark.parametrize("level", ["high_flow", "mechanical_ventilation", "ecmo"])
def test_high_oxygen_requirement_raises_critical_transplant_referral_needed(level):
    evaluation = evaluate_on(patient(enrolled=E).oxygen(O2, level).build(), O2)

    (alert,) = alerts_of(evaluation, "TRANSPLANT_REFERRAL_NEEDED")
    assert alert.severity == "critical"


@pytest.mark.parametrize("level", ["none", "low_flow"])
def test_low_flow_or_no_oxygen_raises_no_transplant_referral_alert(level):
    evaluation = evaluate_on(patient(enrolled=E).oxygen(O2, level).build(), O2)

    assert "TRANSPLANT_REFERRAL_NEEDED" not in alert_codes(evaluation)


def test_only_the_latest_oxygen_requirement_counts():
    record = patient(enrolled=E).oxygen(O2, "high_flow").oxygen(plus(O2, 3), "low_flow").build()

    assert "TRANSPLANT_REFERRAL_NEEDED" not in alert_codes(evaluate_on(record, plus(O2, 3)))


def test_referral_on_the_day_of_high_flow_oxygen_silences_the_alert():
    record = (
        patient(enrolled=E)
        .oxygen(O2, "high_flow")
        .transition(O2, "refer_transplant", reason="high-flow oxygen")
        .build()
    )

    assert "TRANSPLANT_REFERRAL_NEEDED" not in alert_codes(evaluate_on(record, plus(O2, 1)))


def test_referral_the_day_before_high_flow_oxygen_does_not_silence_the_alert():
    record = (
        patient(enrolled=E)
        .transition(plus(O2, -1), "refer_transplant", reason="worsening dyspnoea")
        .transition(plus(O2, -1), "return_from_referral", outcome="not_eligible")
        .oxygen(O2, "high_flow")
        .build()
    )

    assert "TRANSPLANT_REFERRAL_NEEDED" in alert_codes(evaluate_on(record, O2))


def test_high_flow_oxygen_opens_a_transplant_referral_task_due_the_same_day():
    record = patient(enrolled=E).oxygen(O2, "high_flow").build()

    history, last = simulate(record, plus(O2, 2))

    assert raised(history, "TRANSPLANT_REFERRAL_NEEDED") == [plus(O2, 0)]
    task = open_task(last, "transplant_referral")
    assert task is not None
    assert (task.opened_on, task.due_on) == (plus(O2, 0), plus(O2, 0))


def test_high_flow_oxygen_proposes_refer_transplant():
    record = patient(enrolled=E).oxygen(O2, "high_flow").build()

    _, last = simulate(record, O2)

    assert [p.trigger for p in last.proposals] == ["refer_transplant"]


def test_refer_transplant_completes_the_transplant_referral_task():
    record = (
        patient(enrolled=E)
        .oxygen(O2, "high_flow")
        .transition(plus(O2, 1), "refer_transplant", reason="high-flow oxygen")
        .build()
    )

    _, last = simulate(record, plus(O2, 2))

    (task,) = tasks_of(last, "transplant_referral")
    assert (task.status, task.closed_on) == ("done", plus(O2, 1))


def test_anti_mda5_positive_enrolment_opens_transplant_referral_due_on_enrolment():
    evaluation = evaluate_on(patient(enrolled=E, anti_mda5="positive").build(), E)

    task = open_task(evaluation, "transplant_referral")
    assert task is not None
    assert (task.opened_on, task.due_on) == (plus(E, 0), plus(E, 0))


def test_anti_mda5_negative_enrolment_opens_no_transplant_referral():
    evaluation = evaluate_on(patient(enrolled=E, anti_mda5="negative").build(), plus(E, 5))

    assert tasks_of(evaluation, "transplant_referral") == []


def test_amendment_to_anti_mda5_positive_opens_transplant_referral_on_the_amendment_date():
    record = (
        patient(enrolled=E, anti_mda5="pending", ild_course="rapidly_progressive")
        .amend(plus(E, 9), "anti_mda5", "positive")
        .build()
    )

    evaluation = evaluate_on(record, plus(E, 12))

    (task,) = tasks_of(evaluation, "transplant_referral")
    assert (task.opened_on, task.due_on) == (plus(E, 9), plus(E, 9))
    assert tasks_of(evaluate_on(record, plus(E, 8)), "transplant_referral") == []


def test_high_flow_while_already_in_transplant_referral_raises_nothing_until_return():
    record = (
        patient(enrolled="2026-02-02")
        .start("2026-02-03", "prednisone", dose=60)
        .transition("2026-02-03", "start_induction")
        .transition("2026-02-10", "refer_transplant", reason="worsening")
        .oxygen("2026-02-12", "high_flow")
    )
    referred, evaluation = simulate(record.build(), day("2026-02-20"))
    assert "TRANSPLANT_REFERRAL_NEEDED" not in alert_codes(referred)
    assert "transplant_referral" not in {t.kind for t in evaluation.open_tasks()}
    returned, evaluation = simulate(
        record.transition("2026-02-21", "return_from_referral", outcome="declined").build(),
        day("2026-02-22"),
    )
    assert "TRANSPLANT_REFERRAL_NEEDED" in alert_codes(returned)
    assert "refer_transplant" in {p.trigger for p in evaluation.proposals}
