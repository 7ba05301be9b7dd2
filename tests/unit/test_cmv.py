"""CMV during intensive immunosuppression (§8, §9, [S4]): the `cmv_test` task, due 7 days after
intensive immunosuppression begins and after each CMV result while it lasts; and
CMV_REACTIVATION on any detectable CMV DNA while an immunosuppressive agent is active."""

from tests.unit.builders import (
    alert_codes,
    alerts_of,
    evaluate_on,
    open_task,
    patient,
    plus,
    tasks_of,
)

D = "2026-03-02"


def intensive_from_d():
    """High-dose prednisone with tacrolimus from D."""
    return patient(enrolled=D).start(D, "prednisone", dose=60).start(D, "tacrolimus", dose=4)


def test_intensive_immunosuppression_opens_a_cmv_test_due_7_days_later():
    task = open_task(evaluate_on(intensive_from_d().build(), D), "cmv_test")

    assert task is not None
    assert (task.opened_on, task.due_on) == (plus(D, 0), plus(D, 7))


def test_high_dose_glucocorticoid_alone_is_not_intensive_and_opens_no_cmv_test():
    record = patient(enrolled=D).start(D, "prednisone", dose=60).build()

    assert tasks_of(evaluate_on(record, plus(D, 10)), "cmv_test") == []


def test_low_dose_glucocorticoid_with_cyclophosphamide_is_not_intensive():
    record = (
        patient(enrolled=D).start(D, "prednisone", dose=10).start(D, "cyclophosphamide").build()
    )

    assert tasks_of(evaluate_on(record, plus(D, 10)), "cmv_test") == []


def test_a_cmv_result_completes_the_test_and_the_next_is_due_7_days_after_it():
    record = intensive_from_d().cmv(plus(D, 5), 0).build()

    first, second = tasks_of(evaluate_on(record, plus(D, 5)), "cmv_test")

    assert (first.status, first.closed_on) == ("done", plus(D, 5))
    assert (second.status, second.opened_on, second.due_on) == ("open", plus(D, 5), plus(D, 12))


def test_cmv_test_is_overdue_the_day_after_it_was_due():
    evaluation = evaluate_on(intensive_from_d().build(), plus(D, 8))

    assert "CMV_MONITORING_OVERDUE" in alert_codes(evaluation)
    assert "CMV_MONITORING_OVERDUE" not in alert_codes(
        evaluate_on(intensive_from_d().build(), plus(D, 7))
    )


def test_end_of_intensive_immunosuppression_cancels_the_open_cmv_test():
    record = intensive_from_d().stop(plus(D, 4), "tacrolimus").build()

    (task,) = tasks_of(evaluate_on(record, plus(D, 10)), "cmv_test")

    assert (task.status, task.closed_on) == ("cancelled", plus(D, 4))
    assert "CMV_MONITORING_OVERDUE" not in alert_codes(evaluate_on(record, plus(D, 10)))


def test_salvage_state_alone_counts_as_intensive_immunosuppression():
    record = (
        patient(enrolled=D)
        .transition(plus(D, 2), "declare_refractory", reason="life-threatening disease")
        .build()
    )

    task = open_task(evaluate_on(record, plus(D, 2)), "cmv_test")

    assert task is not None
    assert (task.opened_on, task.due_on) == (plus(D, 2), plus(D, 9))


def test_leaving_salvage_without_intensive_agents_cancels_the_cmv_test():
    record = (
        patient(enrolled=D)
        .transition(plus(D, 2), "declare_refractory", reason="life-threatening disease")
        .transition(plus(D, 5), "achieve_response")
        .build()
    )

    (task,) = tasks_of(evaluate_on(record, plus(D, 6)), "cmv_test")

    assert (task.status, task.closed_on) == ("cancelled", plus(D, 5))


def test_detectable_cmv_dna_on_an_immunosuppressant_raises_critical_cmv_reactivation():
    record = (
        patient(enrolled=D)
        .start(D, "mycophenolate_mofetil", dose=2000)
        .cmv(plus(D, 10), 150)
        .build()
    )

    (alert,) = alerts_of(evaluate_on(record, plus(D, 10)), "CMV_REACTIVATION")

    assert alert.severity == "critical"
    assert alert.evidence == (record.observations[-1].id,)


def test_undetectable_cmv_dna_raises_no_reactivation_alert():
    record = patient(enrolled=D).start(D, "mycophenolate_mofetil", dose=2000).cmv(plus(D, 10), 0)

    assert "CMV_REACTIVATION" not in alert_codes(evaluate_on(record.build(), plus(D, 10)))


def test_detectable_cmv_dna_without_an_active_immunosuppressant_raises_no_alert():
    record = (
        patient(enrolled=D).start(D, "tmp_smx").start(D, "nintedanib").cmv(plus(D, 10), 150).build()
    )

    assert "CMV_REACTIVATION" not in alert_codes(evaluate_on(record, plus(D, 10)))


def test_cmv_dna_after_the_last_immunosuppressant_was_stopped_raises_no_alert():
    record = (
        patient(enrolled=D)
        .start(D, "mycophenolate_mofetil", dose=2000)
        .stop(plus(D, 10), "mycophenolate_mofetil")
        .cmv(plus(D, 10), 150)
        .build()
    )

    assert "CMV_REACTIVATION" not in alert_codes(evaluate_on(record, plus(D, 10)))
