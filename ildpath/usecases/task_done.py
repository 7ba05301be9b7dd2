"""*Done* on a care task (CLINICAL_SPEC §8 "Acting on a task"): never a bare tick. The task
closes by recording what closes it (`pathway.task_closing`): a PFT with its values, a
vaccination, the agents started, `refer_transplant`. This use case records that entry through
the one dispatcher, as any other way in would, and says whether the task closed: an entry the
rules do not count (dated before the task opened, say) is kept, and the task stays open.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from pathway.errors import InvalidValue
from pathway.task_closing import ClosingEntry, closing_entry

from ..bootstrap import App
from ..errors import TaskNotFound
from .events import record_event
from .outcome import Outcome
from .work import Actor

__all__ = ["TaskDone", "TaskToClose", "complete_task", "task_to_close"]


@dataclass(frozen=True)
class TaskToClose:
    """An open task and the entry that closes it."""

    id: int
    patient_id: str
    kind: str
    entry: ClosingEntry


@dataclass(frozen=True)
class TaskDone:
    outcome: Outcome
    closed: bool
    """Whether the entry closed the task (the rules decide, not the person)."""
    entry: ClosingEntry


def task_to_close(app: App, task_id: int) -> TaskToClose:
    """The task, if it is still open, with the entry that would close it."""
    with app.unit_of_work() as uow:
        row = uow.patients.task(task_id)
        if row is None:
            raise TaskNotFound(task_id)
        patient = uow.patients.get(row.patient_id)
        assert patient is not None
    if row.status != "open":
        raise InvalidValue("task", task_id, f"an open task (this one is {row.status})")
    return TaskToClose(task_id, patient.external_id, row.kind, closing_entry(row.kind))


def complete_task(
    app: App, task_id: int, on: date, values: Mapping[str, object], actor: Actor
) -> TaskDone:
    """Record the entry that closes the task, with ``values`` (a PFT's results, a CMV load …)
    over the entry's own (a vaccine, an agent); refused like that entry (nothing written)."""
    task = task_to_close(app, task_id)
    preset = set(task.entry.preset)
    fixed = sorted(name for name in values if name in preset)
    if fixed:
        chosen = ", ".join(f"{k}={task.entry.preset[k]}" for k in sorted(preset))
        raise InvalidValue(fixed[0], values[fixed[0]], f"left out: done records {chosen}")
    body = {**task.entry.preset, **values}
    outcome = record_event(app, task.patient_id, task.entry.event, body, on, actor)
    return TaskDone(outcome, task_id in {t.id for t in outcome.tasks_closed}, task.entry)
