"""The `pft` task (§8, [S0] every 3-6 months): last PFT + 3 calendar months when high risk, + 6
when not (clamped to the month's end); enrolment + 14 days with no PFT yet; the open task's due
date follows the current risk."""

from datetime import date

import pytest

from tests.unit.builders import alert_codes, evaluate_on, open_task, patient, plus, tasks_of


def pft_due(record, as_of):
    task = open_task(evaluate_on(record, as_of), "pft")
    assert task is not None
    return task.due_on


def test_first_pft_is_due_14_days_after_enrolment_when_there_is_none():
    assert pft_due(patient(enrolled="2026-01-05").build(), "2026-01-05") == date(2026, 1, 19)


def test_pft_on_the_first_due_day_is_not_overdue():
    record = patient(enrolled="2026-01-05").build()

    assert "PFT_OVERDUE" not in alert_codes(evaluate_on(record, "2026-01-19"))


def test_pft_missing_the_day_after_it_was_due_raises_pft_overdue_warning():
    evaluation = evaluate_on(patient(enrolled="2026-01-05").build(), "2026-01-20")

    (alert,) = [a for a in evaluation.alerts if a.code == "PFT_OVERDUE"]
    assert alert.severity == "warning"


def test_low_risk_next_pft_is_due_6_months_later_clamped_to_february_28():
    record = patient(enrolled="2026-08-20").pft("2026-08-31", fvc=80, dlco=60).build()

    assert pft_due(record, "2026-09-01") == date(2027, 2, 28)


def test_high_risk_next_pft_is_due_3_months_later_clamped_to_november_30():
    record = (
        patient(enrolled="2026-08-20", flags=["extensive_ggo"])
        .pft("2026-08-31", fvc=80, dlco=60)
        .build()
    )

    assert pft_due(record, "2026-09-01") == date(2026, 11, 30)


def test_a_pft_completes_the_open_pft_task_and_opens_the_next():
    record = patient(enrolled="2026-01-05").pft("2026-01-12", fvc=80, dlco=60).build()

    first, second = tasks_of(evaluate_on(record, "2026-01-12"), "pft")

    assert (first.status, first.closed_on) == ("done", date(2026, 1, 12))
    assert (second.status, second.opened_on, second.due_on) == (
        "open",
        date(2026, 1, 12),
        date(2026, 7, 12),
    )


def test_baseline_pft_before_enrolment_sets_the_first_due_date():
    record = patient(enrolled="2026-03-02").pft("2026-01-15", fvc=80, dlco=60).build()

    assert pft_due(record, "2026-03-02") == date(2026, 7, 15)


@pytest.mark.parametrize(
    "phenotype",
    [
        {"flags": ["extensive_ggo"]},
        {"flags": ["bal_neutrophilia"]},
        {"flags": ["low_vital_capacity"]},
        {"flags": ["active_myositis"]},
        {"anti_ars": "positive"},
        {"anti_mda5": "positive"},
        {"ild_course": "rapidly_progressive"},
    ],
    ids=lambda p: "-".join(str(v) for v in p.values()),
)
def test_each_high_risk_feature_sets_a_3_month_pft_interval(phenotype):
    record = patient(enrolled="2026-01-05", **phenotype).pft("2026-01-10", fvc=80).build()

    assert pft_due(record, "2026-01-10") == date(2026, 4, 10)


@pytest.mark.parametrize("flag", ["respiratory_muscle_weakness", "osteoporosis"])
def test_flags_that_are_not_progression_risk_factors_keep_a_6_month_interval(flag):
    record = patient(enrolled="2026-01-05", flags=[flag]).pft("2026-01-10", fvc=80).build()

    assert pft_due(record, "2026-01-10") == date(2026, 7, 10)


def test_being_in_induction_makes_the_patient_high_risk():
    record = (
        patient(enrolled="2026-01-05")
        .start("2026-01-05", "prednisone", dose=50)
        .transition("2026-01-05", "start_induction")
        .pft("2026-01-10", fvc=80)
        .build()
    )

    assert pft_due(record, "2026-01-10") == date(2026, 4, 10)


@pytest.mark.parametrize(
    "path",
    [
        ["declare_refractory"],
        ["refer_transplant"],
        ["start_induction", "achieve_response", "detect_progression"],
    ],
    ids=["salvage", "transplant_referral", "progression"],
)
def test_salvage_referral_and_progression_states_make_the_patient_high_risk(path):
    builder = patient(enrolled="2026-01-05").start("2026-01-05", "prednisone", dose=50)
    for trigger in path:
        builder.transition("2026-01-06", trigger)
    record = builder.pft("2026-01-10", fvc=80).build()

    assert pft_due(record, "2026-01-10") == date(2026, 4, 10)


def induction_then_response_on(response_day):
    return (
        patient(enrolled="2026-08-03")
        .start("2026-08-03", "prednisone", dose=50)
        .transition("2026-08-03", "start_induction")
        .pft("2026-08-31", fvc=80, dlco=60)
        .transition(response_day, "achieve_response")
        .build()
    )


def test_pft_task_opened_in_induction_is_due_3_months_after_the_pft():
    record = induction_then_response_on("2026-09-15")

    assert pft_due(record, "2026-09-14") == date(2026, 11, 30)


def test_moving_from_induction_to_monitoring_re_dates_the_open_pft_task_to_6_months():
    record = induction_then_response_on("2026-09-15")

    before = open_task(evaluate_on(record, "2026-09-14"), "pft")
    after = open_task(evaluate_on(record, "2026-09-15"), "pft")

    assert before is not None and after is not None
    assert after.key == before.key
    assert after.due_on == date(2027, 2, 28)


def back_in_monitoring_after_progression_on(progression_day):
    """A low-risk patient whose progression was detected, re-induced, and who responded."""
    return (
        patient(enrolled="2026-01-05")
        .start("2026-01-05", "prednisone", dose=50)
        .transition("2026-01-05", "start_induction")
        .transition("2026-02-01", "achieve_response")
        .transition(progression_day, "detect_progression", reason="new GGO on HRCT")
        .transition(plus(progression_day, 1), "start_induction")
        .transition("2026-04-01", "achieve_response")
        .pft("2027-01-15", fvc=80, dlco=60)
        .build()
    )


def test_detect_progression_365_days_ago_still_sets_a_3_month_pft_interval():
    record = back_in_monitoring_after_progression_on("2026-03-02")

    assert pft_due(record, plus("2026-03-02", 365)) == date(2027, 4, 15)


def test_detect_progression_366_days_ago_no_longer_sets_a_3_month_pft_interval():
    record = back_in_monitoring_after_progression_on("2026-03-02")

    assert pft_due(record, plus("2026-03-02", 366)) == date(2027, 7, 15)


def test_amendment_adding_a_risk_factor_re_dates_the_open_pft_task_from_its_date():
    record = (
        patient(enrolled="2026-01-05")
        .pft("2026-01-10", fvc=80, dlco=60)
        .amend("2026-02-01", "flags", ["bal_neutrophilia"])
        .build()
    )

    assert pft_due(record, "2026-01-31") == date(2026, 7, 10)
    assert pft_due(record, "2026-02-01") == date(2026, 4, 10)
