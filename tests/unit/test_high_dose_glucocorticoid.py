"""High-dose glucocorticoid (§9): prednisone-equivalent >= 20 mg/day (methylprednisolone x 1.25,
doses of concurrent glucocorticoids summed), IV methylprednisolone always. It opens the
`pjp_prophylaxis` task (§8) while tmp_smx is not active; judged per clinical day."""

import pytest

from tests.unit.builders import evaluate_on, open_task, patient, plus, tasks_of

D = "2026-02-02"


def pjp_opened(builder, as_of=D):
    return open_task(evaluate_on(builder.build(), as_of), "pjp_prophylaxis") is not None


def test_prednisone_20_mg_is_high_dose_and_opens_pjp_prophylaxis_due_in_7_days():
    evaluation = evaluate_on(patient().start(D, "prednisone", dose=20).build(), D)

    task = open_task(evaluation, "pjp_prophylaxis")
    assert task is not None
    assert (task.opened_on, task.due_on) == (plus(D, 0), plus(D, 7))


def test_prednisone_19_9_mg_is_not_high_dose_and_opens_no_pjp_task():
    assert not pjp_opened(patient().start(D, "prednisone", dose=19.9))


def test_prednisolone_20_mg_counts_like_prednisone():
    assert pjp_opened(patient().start(D, "prednisolone", dose=20))


def test_oral_methylprednisolone_16_mg_equals_prednisone_20_and_is_high_dose():
    assert pjp_opened(patient().start(D, "methylprednisolone", dose=16, route="oral"))


def test_oral_methylprednisolone_15_mg_is_below_the_high_dose_threshold():
    assert not pjp_opened(patient().start(D, "methylprednisolone", dose=15, route="oral"))


@pytest.mark.parametrize("dose", [4, 500, None])
def test_iv_methylprednisolone_is_always_high_dose(dose):
    assert pjp_opened(patient().start(D, "methylprednisolone", dose=dose, route="iv"))


def test_doses_of_two_glucocorticoids_are_summed_to_reach_high_dose():
    builder = (
        patient()
        .start(D, "prednisone", dose=10)
        .start(D, "methylprednisolone", dose=8, route="oral")
    )

    assert pjp_opened(builder)


def test_two_glucocorticoids_summing_below_20_mg_are_not_high_dose():
    builder = patient().start(D, "prednisone", dose=10).start(D, "prednisolone", dose=9.9)

    assert not pjp_opened(builder)


def test_tmp_smx_already_active_means_no_pjp_task():
    builder = patient().start(D, "tmp_smx").start(D, "prednisone", dose=60)

    assert tasks_of(evaluate_on(builder.build(), D), "pjp_prophylaxis") == []


def test_starting_tmp_smx_completes_the_pjp_task():
    record = patient().start(D, "prednisone", dose=60).start(plus(D, 3), "tmp_smx").build()

    (task,) = tasks_of(evaluate_on(record, plus(D, 5)), "pjp_prophylaxis")

    assert (task.status, task.closed_on) == ("done", plus(D, 3))


def test_dose_raised_to_high_dose_opens_pjp_on_the_day_of_the_change():
    builder = patient().start(D, "prednisone", dose=10).start(plus(D, 5), "prednisone", dose=40)

    task = open_task(evaluate_on(builder.build(), plus(D, 5)), "pjp_prophylaxis")

    assert task is not None
    assert (task.opened_on, task.due_on) == (plus(D, 5), plus(D, 12))


def test_dose_change_below_20_mg_cancels_pjp_prophylaxis_that_day():
    record = (
        patient().start(D, "prednisone", dose=60).start(plus(D, 4), "prednisone", dose=10).build()
    )

    (task,) = tasks_of(evaluate_on(record, plus(D, 6)), "pjp_prophylaxis")

    assert (task.status, task.closed_on) == ("cancelled", plus(D, 4))


def test_stopping_the_glucocorticoid_cancels_pjp_prophylaxis():
    record = patient().start(D, "prednisone", dose=60).stop(plus(D, 2), "prednisone").build()

    (task,) = tasks_of(evaluate_on(record, plus(D, 3)), "pjp_prophylaxis")

    assert (task.status, task.closed_on) == ("cancelled", plus(D, 2))


def switched_glucocorticoid_same_day(start_first: bool):
    """High-dose prednisone with tacrolimus from D (intensive); on D+3 prednisone is stopped and
    pulse methylprednisolone started, in either recording order."""
    builder = patient().start(D, "prednisone", dose=60).start(D, "tacrolimus", dose=4)
    if start_first:
        builder.start(plus(D, 3), "methylprednisolone", dose=500, route="iv")
        builder.stop(plus(D, 3), "prednisone")
    else:
        builder.stop(plus(D, 3), "prednisone")
        builder.start(plus(D, 3), "methylprednisolone", dose=500, route="iv")
    return builder.build()


@pytest.mark.parametrize("start_first", [False, True], ids=["stop-then-start", "start-then-stop"])
def test_same_day_glucocorticoid_switch_keeping_high_dose_leaves_pjp_task_as_it_was(start_first):
    evaluation = evaluate_on(switched_glucocorticoid_same_day(start_first), plus(D, 5))

    (task,) = tasks_of(evaluation, "pjp_prophylaxis")
    assert (task.status, task.opened_on, task.due_on) == ("open", plus(D, 0), plus(D, 7))


@pytest.mark.parametrize("start_first", [False, True], ids=["stop-then-start", "start-then-stop"])
def test_same_day_glucocorticoid_switch_keeping_high_dose_leaves_cmv_task_as_it_was(start_first):
    evaluation = evaluate_on(switched_glucocorticoid_same_day(start_first), plus(D, 5))

    (task,) = tasks_of(evaluation, "cmv_test")
    assert (task.status, task.opened_on, task.due_on) == ("open", plus(D, 0), plus(D, 7))
