"""A person acting on a care task (CLINICAL_SPEC §8 "Acting on a task"): decline, reschedule,
assign. Done stays "record what closes it" (a PFT, a vaccination, a procedure ...), never a
bare tick.

The actions are entries of the record (`pathway.record.TaskAction`), so the tasks stay
derived from the record: a decline closes its task where the ledger's replay reaches it
(`ledger.TaskLedger.settle`), a reschedule and an assignment are laid over the derived task
here. What a use case checks before it writes an action is in `pathway.task_actions`.
"""

from collections.abc import Iterable, Iterator

from ...findings import CareTask
from ...record import TaskAction

__all__ = ["DECLINABLE", "TASK_ACTIONS", "with_actions"]

TASK_ACTIONS = ("decline", "reschedule", "assign")

DECLINABLE = (
    "vaccination_influenza",
    "vaccination_pneumococcal",
    "vaccination_covid19",
    "pulmonary_rehabilitation",
    "bone_protection",
    "pjp_prophylaxis",
)
"""§8: the kinds a person may decline (declined by the patient, contraindicated, given
elsewhere with no date known). Monitoring (PFT, HRCT, CMV), plasma exchange and transplant
referral cannot be declined: they are rescheduled, or closed by what is done."""


def _latest(actions: Iterable[TaskAction], kind: str) -> dict[str, TaskAction]:
    """The last action of ``kind`` recorded on each task, by task key."""
    return {a.task_key: a for a in actions if a.action == kind}


def with_actions(tasks: Iterable[CareTask], actions: tuple[TaskAction, ...]) -> Iterator[CareTask]:
    """The tasks with their reschedule and assignment laid over (declines are the ledgers').

    A reschedule holds while the engine's due date is the one it was made against: the PFT
    task's due date follows the risk (§8), and when the engine re-dates it the new engine
    date rules again (the care team sees the change rather than a stale date of theirs)."""
    if not actions:
        yield from tasks
        return
    moved, assigned = _latest(actions, "reschedule"), _latest(actions, "assign")
    for task in tasks:
        move, owner = moved.get(task.key), assigned.get(task.key)
        if move is not None and move.engine_due_on == task.due_on:
            task = task.changed(rescheduled_to=move.new_due_on)
        if owner is not None:
            task = task.changed(assignee=owner.assignee)
        yield task
