"""Acting on a task (§8): a declined task is closed and never overdue, and the event that
opened it does not open it again (the next one does); a reschedule moves overdue while the
engine's date stays, and §10's on-time measures still judge by the engine's date."""

from datetime import date

from pathway.adherence import TaskTimeliness, task_timeliness
from pathway.findings import CareTask
from pathway.record import PatientRecord, TaskAction
from tests.unit.builders import evaluate_on, open_task, patient, plus, tasks_of

E = "2026-01-05"


def acted(record: PatientRecord, task: CareTask, action: str, on: date, **fields) -> PatientRecord:  # type: ignore[no-untyped-def]
    number = len(record.task_actions) + 1
    entry = TaskAction(f"act{number}", task.key, task.kind, action, on, on, **fields)
    return record.appended("task_actions", entry)


def test_a_declined_vaccination_is_closed_as_declined_and_never_overdue():
    record = patient(enrolled=E).build()
    [task] = tasks_of(evaluate_on(record, E), "vaccination_pneumococcal")
    record = acted(record, task, "decline", plus(E, 3), reason="declined by the patient")

    later = evaluate_on(record, plus(E, 400))

    [task] = tasks_of(later, "vaccination_pneumococcal")
    assert (task.status, task.closed_on, task.declined_reason) == (
        "declined",
        plus(E, 3),
        "declined by the patient",
    )
    assert not task.is_overdue(plus(E, 400))


def test_declined_influenza_is_not_reopened_until_next_season_from_the_decline():
    record = patient(enrolled=E).build()
    [task] = tasks_of(evaluate_on(record, E), "vaccination_influenza")
    record = acted(record, task, "decline", plus(E, 20), reason="declined by the patient")

    assert open_task(evaluate_on(record, plus(E, 20 + 364)), "vaccination_influenza") is None
    reopened = open_task(evaluate_on(record, plus(E, 20 + 365)), "vaccination_influenza")
    assert reopened is not None and reopened.opened_on == plus(E, 20 + 365)


def test_a_vaccination_after_a_decline_counts_the_next_season_from_itself():
    record = patient(enrolled=E).vaccination(plus(E, 100), "influenza").build()
    [task] = tasks_of(evaluate_on(record, E), "vaccination_influenza")
    record = acted(record, task, "decline", plus(E, 20), reason="not this season")

    assert open_task(evaluate_on(record, plus(E, 20 + 365)), "vaccination_influenza") is None
    assert open_task(evaluate_on(record, plus(E, 100 + 365)), "vaccination_influenza") is not None


def test_declined_pjp_prophylaxis_stays_closed_for_this_exposure_and_opens_for_the_next():
    record = (
        patient(enrolled=E)
        .start(E, "prednisone", dose=60)
        .start(plus(E, 10), "prednisone", dose=40)
        .start(plus(E, 30), "prednisone", dose=10)
        .start(plus(E, 50), "prednisone", dose=40)
        .build()
    )
    [task] = tasks_of(evaluate_on(record, E), "pjp_prophylaxis")
    record = acted(record, task, "decline", plus(E, 2), reason="sulfonamide allergy")

    assert open_task(evaluate_on(record, plus(E, 20)), "pjp_prophylaxis") is None
    opened = open_task(evaluate_on(record, plus(E, 50)), "pjp_prophylaxis")
    assert opened is not None and opened.opened_on == plus(E, 50)


def test_a_reschedule_moves_overdue_and_keeps_the_engine_date():
    record = patient(enrolled=E).build()
    [pft] = tasks_of(evaluate_on(record, E), "pft")
    moved = plus(E, 40)
    record = acted(
        record,
        pft,
        "reschedule",
        plus(E, 0),
        reason="lab closed",
        new_due_on=moved,
        engine_due_on=pft.due_on,
    )

    [task] = tasks_of(evaluate_on(record, plus(E, 30)), "pft")

    assert (task.due_on, task.rescheduled_to) == (pft.due_on, moved)
    assert not task.is_overdue(plus(E, 40)) and task.is_overdue(plus(E, 41))
    assert "PFT_OVERDUE" not in {a.code for a in evaluate_on(record, plus(E, 40)).alerts}
    assert "PFT_OVERDUE" in {a.code for a in evaluate_on(record, plus(E, 41)).alerts}


def test_on_time_measures_judge_a_rescheduled_task_by_the_engine_date():
    engine_due, rescheduled = date(2026, 3, 1), date(2026, 5, 1)
    done_on = date(2026, 4, 20)  # before the new date, but after the engine's date + 14 days

    judged = task_timeliness(engine_due, "done", done_on, date(2026, 6, 1), 14)

    assert done_on < rescheduled
    assert judged is TaskTimeliness.LATE
    assert task_timeliness(engine_due, "declined", done_on, date(2026, 6, 1), 14) is (
        TaskTimeliness.DECLINED
    )


def test_an_assignment_is_laid_on_the_task_it_names():
    record = patient(enrolled=E).build()
    [pft] = tasks_of(evaluate_on(record, E), "pft")
    record = acted(record, pft, "assign", plus(E, 0), assignee="anna.rossi")

    assert tasks_of(evaluate_on(record, plus(E, 1)), "pft")[0].assignee == "anna.rossi"
