"""Plasma exchange for refractory anti-MDA5 disease (§6, [S4] within 2 weeks): the
`plasma_exchange` task is due 14 days after `declare_refractory`; PLASMA_EXCHANGE_OVERDUE
(critical) from the day after."""

from tests.unit.builders import alert_codes, alerts_of, evaluate_on, open_task, patient, plus

REFRACTORY = "2026-02-10"


def refractory(anti_mda5="positive"):
    return (
        patient(enrolled="2026-02-02", anti_mda5=anti_mda5, ild_course="rapidly_progressive")
        .start("2026-02-02", "methylprednisolone", dose=1000, route="iv")
        .transition("2026-02-02", "start_induction")
        .transition(REFRACTORY, "declare_refractory", reason="no response to triple therapy")
    )


def test_declaring_anti_mda5_disease_refractory_opens_plasma_exchange_due_in_14_days():
    task = open_task(evaluate_on(refractory().build(), REFRACTORY), "plasma_exchange")

    assert task is not None
    assert (task.opened_on, task.due_on) == (plus(REFRACTORY, 0), plus(REFRACTORY, 14))


def test_no_plasma_exchange_on_day_14_is_not_yet_overdue():
    evaluation = evaluate_on(refractory().build(), plus(REFRACTORY, 14))

    assert "PLASMA_EXCHANGE_OVERDUE" not in alert_codes(evaluation)


def test_no_plasma_exchange_by_day_15_raises_critical_plasma_exchange_overdue():
    evaluation = evaluate_on(refractory().build(), plus(REFRACTORY, 15))

    (alert,) = alerts_of(evaluation, "PLASMA_EXCHANGE_OVERDUE")
    assert alert.severity == "critical"
    assert open_task(evaluation, "plasma_exchange").is_overdue(plus(REFRACTORY, 15))


def test_plasma_exchange_on_day_14_completes_the_task_and_nothing_is_overdue():
    record = refractory().procedure(plus(REFRACTORY, 14), "plasma_exchange").build()

    evaluation = evaluate_on(record, plus(REFRACTORY, 15))

    assert open_task(evaluation, "plasma_exchange") is None
    assert [t.status for t in evaluation.tasks if t.kind == "plasma_exchange"] == ["done"]
    assert "PLASMA_EXCHANGE_OVERDUE" not in alert_codes(evaluation)


def test_anti_mda5_negative_refractory_disease_opens_no_plasma_exchange_task():
    evaluation = evaluate_on(refractory(anti_mda5="negative").build(), plus(REFRACTORY, 20))

    assert [t for t in evaluation.tasks if t.kind == "plasma_exchange"] == []
    assert "PLASMA_EXCHANGE_OVERDUE" not in alert_codes(evaluation)
