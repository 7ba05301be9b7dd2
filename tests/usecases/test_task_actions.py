"""Acting on a care task (CLINICAL_SPEC §8): decline, reschedule, assign; every refusal writes
nothing."""

import json
from datetime import timedelta

import pytest

from ildpath.bootstrap import App
from ildpath.clock import SimulatedClock
from ildpath.errors import TaskNotFound
from ildpath.usecases import (
    amend_phenotype,
    evaluate_patient,
    record_given,
    record_observation,
    record_therapy,
)
from ildpath.usecases.task_actions import assign_task, decline_task, reschedule_task
from ildpath.usecases.work import find_patient
from pathway.errors import InvalidValue
from persistence.memory_store import MemoryStore
from persistence.tables import CareTaskRow

from .conftest import CLINICIAN, COORDINATOR, DAY, enrol, everything

STAFF = {"anna.rossi", "dr-test"}


def tasks(app: App, kind: str, patient_id: str = "P-001") -> list[CareTaskRow]:
    with app.unit_of_work() as uow:
        rows = uow.patients.rows(find_patient(uow, patient_id)).tasks
    return [t for t in rows if t.kind == kind]


def task_id(app: App, kind: str) -> int:
    [open_task] = [t for t in tasks(app, kind) if t.status == "open"]
    assert open_task.id is not None
    return open_task.id


def test_a_declined_vaccination_closes_as_declined_and_is_never_overdue(
    app: App, clock: SimulatedClock
) -> None:
    enrol(app)
    pneumococcal = task_id(app, "vaccination_pneumococcal")

    outcome = decline_task(app, pneumococcal, "declined by the patient", COORDINATOR)

    assert [(t.kind, t.status) for t in outcome.tasks_closed] == [
        ("vaccination_pneumococcal", "declined")
    ]
    clock.move_to(DAY + timedelta(days=90))
    evaluate_patient(app, "P-001")
    [task] = tasks(app, "vaccination_pneumococcal")
    assert (task.status, task.closed_on, task.declined_reason) == (
        "declined",
        DAY,
        "declined by the patient",
    )


def test_declined_influenza_opens_again_next_season_counted_from_the_decline(
    app: App, clock: SimulatedClock
) -> None:
    enrol(app)
    clock.move_to(DAY + timedelta(days=10))
    decline_task(app, task_id(app, "vaccination_influenza"), "declined by the patient", COORDINATOR)

    clock.move_to(DAY + timedelta(days=10 + 364))
    evaluate_patient(app, "P-001")
    assert [t.status for t in tasks(app, "vaccination_influenza")] == ["declined"]
    clock.move_to(DAY + timedelta(days=10 + 365))
    evaluate_patient(app, "P-001")
    declined, next_season = tasks(app, "vaccination_influenza")
    assert (declined.status, next_season.status) == ("declined", "open")
    assert next_season.opened_on == DAY + timedelta(days=10 + 365)


def test_declined_pjp_prophylaxis_is_not_reopened_by_the_same_exposure_but_by_the_next(
    app: App, clock: SimulatedClock
) -> None:
    enrol(app)
    record_therapy(app, "P-001", "start", "prednisone", DAY, CLINICIAN, dose_mg_per_day=60)
    decline_task(app, task_id(app, "pjp_prophylaxis"), "sulfonamide allergy", CLINICIAN)

    clock.move_to(DAY + timedelta(days=5))
    record_therapy(
        app, "P-001", "start", "prednisone", clock.today(), CLINICIAN, dose_mg_per_day=50
    )
    assert [t.status for t in tasks(app, "pjp_prophylaxis")] == ["declined"]

    clock.move_to(DAY + timedelta(days=20))
    record_therapy(
        app, "P-001", "start", "prednisone", clock.today(), CLINICIAN, dose_mg_per_day=10
    )
    clock.move_to(DAY + timedelta(days=40))
    outcome = record_therapy(
        app, "P-001", "start", "prednisone", clock.today(), CLINICIAN, dose_mg_per_day=40
    )
    assert [t.kind for t in outcome.tasks_opened] == ["pjp_prophylaxis"]


def test_declined_bone_protection_reopens_with_a_new_glucocorticoid_start(
    app: App, clock: SimulatedClock
) -> None:
    enrol(app)
    record_therapy(app, "P-001", "start", "prednisone", DAY, CLINICIAN, dose_mg_per_day=10)
    decline_task(app, task_id(app, "bone_protection"), "given elsewhere, no date known", CLINICIAN)
    clock.move_to(DAY + timedelta(days=30))
    record_therapy(app, "P-001", "stop", "prednisone", clock.today(), CLINICIAN)
    assert [t.status for t in tasks(app, "bone_protection")] == ["declined"]

    clock.move_to(DAY + timedelta(days=60))
    outcome = record_therapy(
        app, "P-001", "start", "prednisolone", clock.today(), CLINICIAN, dose_mg_per_day=10
    )

    assert [t.kind for t in outcome.tasks_opened] == ["bone_protection"]


@pytest.mark.parametrize("kind", ["pft"])
def test_monitoring_cannot_be_declined_and_the_refusal_names_the_kinds_that_can(
    app: App, kind: str
) -> None:
    enrol(app)
    before = everything(app)

    with pytest.raises(InvalidValue) as refused:
        decline_task(app, task_id(app, kind), "patient declined", COORDINATOR)

    assert refused.value.field == "task"
    assert "vaccination_influenza" in refused.value.allowed
    assert "pjp_prophylaxis" in refused.value.allowed
    assert everything(app) == before


def test_a_decline_needs_a_reason_and_plain_text(app: App) -> None:
    enrol(app)
    pneumococcal = task_id(app, "vaccination_pneumococcal")
    before = everything(app)

    for reason in ("", "   ", "declined\u202e by patient"):
        with pytest.raises(InvalidValue) as refused:
            decline_task(app, pneumococcal, reason, COORDINATOR)
        assert refused.value.field == "reason"
    assert everything(app) == before


def test_rescheduling_moves_overdue_and_keeps_the_engine_date_beside_it(
    app: App, clock: SimulatedClock
) -> None:
    enrol(app)
    pft = task_id(app, "pft")
    [task] = tasks(app, "pft")
    engine_due = task.due_on
    new_due = engine_due + timedelta(days=21)

    reschedule_task(app, pft, new_due, "spirometry lab closed for two weeks", COORDINATOR)

    clock.move_to(engine_due + timedelta(days=5))
    evaluate_patient(app, "P-001")
    [task] = tasks(app, "pft")
    assert (task.due_on, task.rescheduled_to, task.status) == (engine_due, new_due, "open")
    with app.unit_of_work() as uow:
        alerts = uow.patients.rows(find_patient(uow, "P-001")).alerts
    assert "PFT_OVERDUE" not in {a.code for a in alerts}

    clock.move_to(new_due + timedelta(days=1))
    evaluate_patient(app, "P-001")
    with app.unit_of_work() as uow:
        alerts = uow.patients.rows(find_patient(uow, "P-001")).alerts
    assert "PFT_OVERDUE" in {a.code for a in alerts}


def test_a_reschedule_lapses_when_the_engine_re_dates_the_pft_task_on_a_new_risk(
    app: App, clock: SimulatedClock
) -> None:
    enrol(app)
    record_observation(app, "P-001", "pft", {"fvc_pct": 80, "dlco_pct": 70}, DAY, CLINICIAN)
    [_, task] = tasks(app, "pft")
    assert task.id is not None
    reschedule_task(app, task.id, DAY + timedelta(days=200), "patient abroad", COORDINATOR)
    [_, task] = tasks(app, "pft")
    assert task.rescheduled_to == DAY + timedelta(days=200)

    clock.move_to(DAY + timedelta(days=3))
    amend_phenotype(app, "P-001", "risk_factors", ["active_myositis"], clock.today(), CLINICIAN)

    [_, task] = tasks(app, "pft")
    assert task.due_on < DAY + timedelta(days=100)
    assert task.rescheduled_to is None


def test_a_reschedule_outside_its_bounds_is_refused_naming_them(app: App) -> None:
    enrol(app)
    pft = task_id(app, "pft")
    before = everything(app)

    for due in (DAY - timedelta(days=1), DAY + timedelta(days=366)):
        with pytest.raises(InvalidValue) as refused:
            reschedule_task(app, pft, due, "lab closed", COORDINATOR)
        assert refused.value.field == "due"
        assert (DAY + timedelta(days=365)).isoformat() in refused.value.allowed
    with pytest.raises(InvalidValue):
        reschedule_task(app, pft, DAY + timedelta(days=20), "", COORDINATOR)
    assert everything(app) == before


def test_assigning_needs_an_active_account_and_is_kept_on_the_task(app: App) -> None:
    enrol(app)
    pft = task_id(app, "pft")
    before = everything(app)

    with pytest.raises(InvalidValue) as refused:
        assign_task(app, pft, "nobody", COORDINATOR, assignable=STAFF.__contains__)
    assert refused.value.field == "assignee"
    assert everything(app) == before

    assign_task(app, pft, "anna.rossi", COORDINATOR, assignable=STAFF.__contains__)

    [task] = tasks(app, "pft")
    assert task.assignee == "anna.rossi"


def test_acting_on_an_unknown_or_closed_task_is_refused_and_writes_nothing(app: App) -> None:
    enrol(app)
    pft = task_id(app, "pft")
    record_observation(app, "P-001", "pft", {"fvc_pct": 80, "dlco_pct": 70}, DAY, CLINICIAN)
    pneumococcal = task_id(app, "vaccination_pneumococcal")
    record_given(app, "P-001", "vaccination", "pneumococcal", DAY, CLINICIAN)
    before = everything(app)

    with pytest.raises(TaskNotFound):
        reschedule_task(app, 9999, DAY + timedelta(days=3), "lab closed", COORDINATOR)
    with pytest.raises(InvalidValue) as done:
        reschedule_task(app, pft, DAY + timedelta(days=3), "lab closed", COORDINATOR)
    assert "done" in done.value.allowed
    with pytest.raises(InvalidValue):
        decline_task(app, pneumococcal, "patient declined", COORDINATOR)
    assert everything(app) == before


def test_every_action_is_audited_with_actor_reason_and_kept_in_the_history(app: App) -> None:
    enrol(app)
    pft = task_id(app, "pft")
    reschedule_task(app, pft, DAY + timedelta(days=30), "lab closed", COORDINATOR)
    assign_task(app, pft, "dr-test", CLINICIAN, assignable=STAFF.__contains__)

    with app.unit_of_work() as uow:
        actions = uow.patients.rows(find_patient(uow, "P-001")).task_actions
    assert [(a.action, a.actor, a.role, a.reason) for a in actions] == [
        ("reschedule", "coordinator-test", "coordinator", "lab closed"),
        ("assign", "dr-test", "clinician", None),
    ]
    assert actions[0].new_due_on == DAY + timedelta(days=30)
    assert actions[0].engine_due_on == DAY + timedelta(days=14)
    store = app.store
    assert isinstance(store, MemoryStore)
    events = [(e["kind"], e["actor"], json.loads(e["payload"])) for e in store.rows("audit_event")]
    declared = [
        (kind, actor, p["reason"]) for kind, actor, p in events if kind.startswith("task_r")
    ]
    assert declared == [("task_rescheduled", "coordinator-test", "lab closed")]
    assert ("task_assigned", "dr-test") in {(kind, actor) for kind, actor, _ in events}
