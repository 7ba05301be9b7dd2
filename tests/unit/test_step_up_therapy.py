"""MDA5_STEP_UP_THERAPY (§7, [S4] common pitfall): in anti-MDA5 positive disease, a high-dose
glucocorticoid, a calcineurin inhibitor or mycophenolate, and cyclophosphamide or rituximab
must all be started within 3 days of the first of them (F)."""

from tests.unit.builders import alert_codes, evaluate_on, patient, plus, raised, simulate

F = "2026-03-02"


def mda5_positive(**phenotype):
    return patient(enrolled=F, anti_mda5="positive", ild_course="rapidly_progressive", **phenotype)


def first_two_groups_on_f(builder):
    """High-dose prednisone and tacrolimus on F: the third group is still to come."""
    return builder.start(F, "prednisone", dose=60).start(F, "tacrolimus", dose=4)


def test_third_agent_on_day_f_plus_3_raises_no_step_up_alert():
    record = first_two_groups_on_f(mda5_positive()).start(plus(F, 3), "cyclophosphamide").build()

    history, last = simulate(record, plus(F, 30))

    assert raised(history, "MDA5_STEP_UP_THERAPY") == []
    assert "MDA5_STEP_UP_THERAPY" not in alert_codes(last)


def test_third_agent_on_day_f_plus_4_raises_step_up_alert_on_f_plus_4():
    record = first_two_groups_on_f(mda5_positive()).start(plus(F, 4), "rituximab").build()

    history, _ = simulate(record, plus(F, 10))

    assert raised(history, "MDA5_STEP_UP_THERAPY") == [plus(F, 4)]


def test_third_agent_on_day_f_plus_4_is_not_yet_an_alert_on_f_plus_3():
    record = first_two_groups_on_f(mda5_positive()).start(plus(F, 4), "rituximab").build()

    assert "MDA5_STEP_UP_THERAPY" not in alert_codes(evaluate_on(record, plus(F, 3)))


def test_group_still_missing_on_f_plus_4_raises_step_up_alert_that_day():
    record = first_two_groups_on_f(mda5_positive()).build()

    history, last = simulate(record, plus(F, 4))

    assert raised(history, "MDA5_STEP_UP_THERAPY") == [plus(F, 4)]
    assert "MDA5_STEP_UP_THERAPY" in alert_codes(last)


def test_step_up_alert_is_critical_and_names_the_missing_group():
    record = first_two_groups_on_f(mda5_positive()).build()

    (alert,) = [
        a for a in evaluate_on(record, plus(F, 4)).alerts if a.code == "MDA5_STEP_UP_THERAPY"
    ]

    assert alert.severity == "critical"
    assert "cyclophosphamide or rituximab" in alert.message


def test_patient_not_anti_mda5_positive_never_gets_step_up_alert():
    record = first_two_groups_on_f(patient(enrolled=F, ild_course="rapidly_progressive")).build()

    history, _ = simulate(record, plus(F, 20))

    assert raised(history, "MDA5_STEP_UP_THERAPY") == []


def test_low_dose_glucocorticoid_does_not_count_as_the_glucocorticoid_group():
    record = (
        mda5_positive()
        .start(F, "prednisone", dose=10)
        .start(F, "tacrolimus", dose=4)
        .start(F, "cyclophosphamide")
        .build()
    )

    history, _ = simulate(record, plus(F, 4))

    assert raised(history, "MDA5_STEP_UP_THERAPY") == [plus(F, 4)]


def test_glucocorticoid_raised_to_high_dose_on_f_plus_3_completes_the_triple_in_time():
    record = (
        mda5_positive()
        .start(F, "prednisone", dose=10)
        .start(F, "tacrolimus", dose=4)
        .start(F, "cyclophosphamide")
        .start(plus(F, 3), "prednisone", dose=60)
        .build()
    )

    history, _ = simulate(record, plus(F, 10))

    assert raised(history, "MDA5_STEP_UP_THERAPY") == []


def test_mycophenolate_counts_in_the_calcineurin_inhibitor_group():
    record = (
        mda5_positive()
        .start(F, "methylprednisolone", dose=500, route="iv")
        .start(F, "mycophenolate_mofetil", dose=2000)
        .start(plus(F, 1), "cyclophosphamide")
        .build()
    )

    history, _ = simulate(record, plus(F, 10))

    assert raised(history, "MDA5_STEP_UP_THERAPY") == []


def test_late_entry_of_a_timely_third_agent_leaves_the_alert_raised_on_f_plus_4():
    record = (
        first_two_groups_on_f(mda5_positive())
        .start(plus(F, 2), "cyclophosphamide", recorded_on=plus(F, 6))
        .build()
    )

    history, last = simulate(record, plus(F, 10))

    assert raised(history, "MDA5_STEP_UP_THERAPY") == [plus(F, 4)]
    assert "MDA5_STEP_UP_THERAPY" not in alert_codes(last)


def test_whole_sequence_entered_late_raises_step_up_alert_on_the_day_it_is_recorded():
    late = plus(F, 10)
    record = (
        mda5_positive()
        .start(F, "prednisone", dose=60, recorded_on=late)
        .start(F, "tacrolimus", dose=4, recorded_on=late)
        .start(plus(F, 6), "cyclophosphamide", recorded_on=late)
        .build()
    )

    history, _ = simulate(record, plus(F, 12))

    assert raised(history, "MDA5_STEP_UP_THERAPY") == [late]
