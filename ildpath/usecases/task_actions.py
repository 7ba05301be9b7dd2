"""Act on a care task: decline it, reschedule it, assign it (CLINICAL_SPEC §8 "Acting on a
task"). One use case per action; each is a coordinator's or a clinician's (the edges check the
role), audited with the actor, the time and the reason.

An action is an entry of the patient's record (`pathway.record.TaskAction`), written through
the one writer with its audit event; the evaluation that follows brings the task row to what
the pathway now says (declined and closed, rescheduled, assigned), audited as the engine's.
The task is judged as the engine says it stands today, not as its row last said, so an action
on a task closed meanwhile is refused. Done is not among them: a task closes by recording what
closes it (`ildpath.usecases.task_done`).
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from pathway import evaluate
from pathway.errors import InvalidValue
from pathway.findings import CareTask
from pathway.task_actions import check_declinable, check_open, check_reason, check_reschedule
from pathway.validation import check_text
from persistence.changes import Actor, Audit, NewEntry

from ..accounts import assignable as account_assignable
from ..bootstrap import App
from ..errors import PatientClosed, TaskNotFound
from .evaluation import apply_evaluation
from .outcome import Outcome
from .work import PatientWork

__all__ = ["assign_task", "decline_task", "reschedule_task", "task_id_of"]

_AUDIT_KINDS = {
    "decline": "task_declined",
    "reschedule": "task_rescheduled",
    "assign": "task_assigned",
}


def task_id_of(value: object) -> int:
    """A task id as the worklist shows it: a whole number (``12``, or ``task12``)."""
    text = str(value).strip().removeprefix("task") if isinstance(value, str | int) else ""
    if isinstance(value, bool) or not text.isdigit():
        raise InvalidValue("task", value, "a task id as the worklist shows it (e.g. 12)")
    return int(text)


def _act(
    app: App,
    task_id: int,
    actor: Actor,
    decide: Callable[[CareTask, PatientWork], dict[str, Any]],
    action: str,
) -> Outcome:
    """The shape of every action: the task's patient (refused if closed), the task as the
    engine says it stands today (refused unless open), the action decided and written with
    its audit event, then the evaluation that brings the task row up to date."""
    with app.unit_of_work() as uow:
        row = uow.patients.task(task_id)
        if row is None:
            raise TaskNotFound(task_id)
        patient = uow.patients.get(row.patient_id)
        assert patient is not None
        if patient.state == "closed":
            raise PatientClosed(patient.external_id)
        work = PatientWork(app, uow, patient, actor)
        derived = evaluate(work.record, work.today, work.definition).tasks
        task = check_open(
            next((t for t in derived if t.key == row.key), None), str(task_id), work.today
        )
        values = {
            "task_id": task_id,
            "task_key": task.key,
            "task_kind": task.kind,
            "action": action,
            "role": actor.role,
            "reason": None,
            "new_due_on": None,
            "engine_due_on": None,
            "assignee": None,
            "pathway_version": work.definition.version,
            **decide(task, work),
        }
        audit = Audit(_AUDIT_KINDS[action], values, work.today, actor, id_key="id")
        work.write([NewEntry("task_actions", work.today, values, actor, audit)])
        apply_evaluation(work)
        return work.outcome()


def decline_task(app: App, task_id: int, reason: str, actor: Actor) -> Outcome:
    """Decline the task with a reason (declined by the patient, contraindicated, given
    elsewhere with no date known): it closes as declined, is not overdue, and the event that
    opened it does not open it again (§8). Vaccinations, pulmonary rehabilitation, bone
    protection and PJP prophylaxis only."""
    why = check_reason(reason)

    def decide(task: CareTask, _work: PatientWork) -> dict[str, Any]:
        check_declinable(task)
        return {"reason": why}

    return _act(app, task_id, actor, decide, "decline")


def reschedule_task(app: App, task_id: int, due: date, reason: str, actor: Actor) -> Outcome:
    """Move the task's due date, with a reason: overdue counts from the new date, the
    engine's date stays beside it (and is what §10's on-time measures use)."""
    why = check_reason(reason)

    def decide(task: CareTask, work: PatientWork) -> dict[str, Any]:
        new_due = check_reschedule(due, work.today, work.definition)
        if new_due == task.due_in_force:
            raise InvalidValue(
                "due", new_due.isoformat(), f"a date other than the one in force ({new_due})"
            )
        return {"reason": why, "new_due_on": new_due, "engine_due_on": task.due_on}

    return _act(app, task_id, actor, decide, "reschedule")


def assign_task(
    app: App,
    task_id: int,
    assignee: str,
    actor: Actor,
    *,
    reason: str | None = None,
    assignable: Callable[[str], bool] | None = None,
) -> Outcome:
    """Assign the task to a user (an existing, active account): its reminders go to them
    where a channel can reach them (email to their address; otherwise the clinic's list).
    ``assignable`` says who may be assigned (default: the accounts of the dashboard)."""
    if not isinstance(assignee, str) or not assignee.strip():
        raise InvalidValue("assignee", assignee, "the username of an active account")
    name = check_text("assignee", assignee).strip()
    why = None if reason is None or not reason.strip() else check_reason(reason)
    known = assignable or (lambda username: account_assignable(app, username))
    if not known(name):
        raise InvalidValue(
            "assignee", name, "the username of an active account (see `ildpath user list`)"
        )

    def decide(task: CareTask, _work: PatientWork) -> dict[str, Any]:
        if task.assignee == name:
            raise InvalidValue(
                "assignee", name, f"someone other than the current assignee ({name})"
            )
        return {"assignee": name, "reason": why}

    return _act(app, task_id, actor, decide, "assign")
