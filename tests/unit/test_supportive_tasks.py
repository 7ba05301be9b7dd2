"""Supportive-care tasks (§8, [S0]): bone protection on glucocorticoids, vaccinations,
pulmonary rehabilitation."""

from datetime import date

from tests.unit.builders import evaluate_on, open_task, patient, plus, tasks_of

E = "2026-01-05"


def test_a_glucocorticoid_start_opens_bone_protection_due_in_30_days():
    evaluation = evaluate_on(patient(enrolled=E).start(E, "prednisone", dose=10).build(), E)

    task = open_task(evaluation, "bone_protection")
    assert task is not None
    assert task.due_on == plus(E, 30)


def test_calcium_and_vitamin_d_complete_bone_protection():
    record = (
        patient(enrolled=E)
        .start(E, "prednisone", dose=10)
        .start(plus(E, 3), "calcium")
        .start(plus(E, 5), "vitamin_d")
        .build()
    )

    (task,) = tasks_of(evaluate_on(record, plus(E, 10)), "bone_protection")

    assert (task.status, task.closed_on) == ("done", plus(E, 5))


def test_osteoporosis_also_needs_a_bisphosphonate_for_bone_protection():
    record = (
        patient(enrolled=E, flags=["osteoporosis"])
        .start(E, "prednisone", dose=10)
        .start(plus(E, 3), "calcium")
        .start(plus(E, 3), "vitamin_d")
        .build()
    )

    assert open_task(evaluate_on(record, plus(E, 10)), "bone_protection") is not None


def test_a_glucocorticoid_dose_change_does_not_reopen_bone_protection():
    record = (
        patient(enrolled=E)
        .start(E, "prednisone", dose=10)
        .start(plus(E, 1), "calcium")
        .start(plus(E, 1), "vitamin_d")
        .stop(plus(E, 2), "calcium")
        .start(plus(E, 4), "prednisone", dose=40)
        .build()
    )

    assert len(tasks_of(evaluate_on(record, plus(E, 5)), "bone_protection")) == 1


def test_enrolment_opens_the_three_vaccination_tasks_due_in_30_days():
    evaluation = evaluate_on(patient(enrolled=E).build(), E)

    kinds = ("vaccination_influenza", "vaccination_pneumococcal", "vaccination_covid19")
    assert {t.kind: t.due_on for t in evaluation.open_tasks() if t.kind in kinds} == {
        k: plus(E, 30) for k in kinds
    }


def test_influenza_vaccination_is_due_again_365_days_after_the_last_one():
    record = patient(enrolled=E).vaccination("2026-01-20", "influenza").build()

    assert open_task(evaluate_on(record, plus("2026-01-20", 364)), "vaccination_influenza") is None
    task = open_task(evaluate_on(record, plus("2026-01-20", 365)), "vaccination_influenza")
    assert task is not None
    assert task.due_on == plus("2026-01-20", 395)


def test_pneumococcal_vaccination_is_not_repeated():
    record = patient(enrolled=E).vaccination("2026-01-20", "pneumococcal").build()

    assert open_task(evaluate_on(record, "2027-06-01"), "vaccination_pneumococcal") is None


def test_first_entry_into_monitoring_opens_pulmonary_rehabilitation_due_in_60_days():
    record = (
        patient(enrolled=E)
        .start(E, "prednisone", dose=30)
        .transition(E, "start_induction")
        .transition("2026-02-02", "achieve_response")
        .build()
    )

    task = open_task(evaluate_on(record, "2026-02-02"), "pulmonary_rehabilitation")

    assert task is not None
    assert task.due_on == date(2026, 4, 3)


def test_pulmonary_rehabilitation_procedure_completes_the_task():
    record = (
        patient(enrolled=E)
        .start(E, "prednisone", dose=30)
        .transition(E, "start_induction")
        .transition("2026-02-02", "achieve_response")
        .procedure("2026-03-01", "pulmonary_rehabilitation")
        .build()
    )

    (task,) = tasks_of(evaluate_on(record, "2026-03-02"), "pulmonary_rehabilitation")

    assert (task.status, task.closed_on) == ("done", date(2026, 3, 1))
