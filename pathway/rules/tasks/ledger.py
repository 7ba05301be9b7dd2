"""A ledger of task instances for one kind, enforcing that a kind is open at most once, and
applying a person's declines (§8 Acting on a task) where they fall in the replay."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType

from ...chart import Chart
from ...findings import CareTask, TaskStatus
from ...record import TaskAction
from ...window import Rule, Window

__all__ = ["TASK_DATES", "WINDOWS", "TaskLedger"]


_NONE: Mapping[str, TaskAction] = MappingProxyType({})


def declines_of(chart: Chart, kind: str) -> Mapping[str, TaskAction]:
    """The declines of the tasks of ``kind``, by task key (the last one recorded counts)."""
    found = {
        a.task_key: a
        for a in chart.record.task_actions
        if a.action == "decline" and a.task_kind == kind
    }
    return found or _NONE


@dataclass
class TaskLedger:
    kind: str
    version: str
    tasks: list[CareTask] = field(default_factory=list)
    declines: Mapping[str, TaskAction] = field(default_factory=lambda: _NONE)
    """Declines by task key: one applies when the replay reaches its day while its task is
    the open one (a task done earlier that day stays done)."""

    @classmethod
    def of(cls, chart: Chart, kind: str) -> "TaskLedger":
        """A ledger of a kind a person may decline, with its declines."""
        return cls(kind, chart.definition.version, declines=declines_of(chart, kind))

    @property
    def current(self) -> CareTask | None:
        """The open instance, if any (closed_on not yet set)."""
        last = self.tasks[-1] if self.tasks else None
        return last if last is not None and last.closed_on is None else None

    def open(
        self, anchor: str, on: date, due_in_days: int, evidence: tuple[str, ...] = ()
    ) -> CareTask | None:
        """Open an instance unless one is already open (§8: opening is idempotent)."""
        return self.open_due(anchor, on, on + timedelta(days=due_in_days), evidence)

    def open_due(
        self, anchor: str, on: date, due: date, evidence: tuple[str, ...] = ()
    ) -> CareTask | None:
        self.settle(on, inclusive=True)
        if self.current is not None:
            return None
        task = CareTask(
            self.kind, f"{self.kind}:{anchor}", on, due, self.version, evidence=evidence
        )
        self.tasks.append(task)
        return task

    def decline(self, action: TaskAction) -> bool:
        """Close the open task as declined, if it is the one ``action`` names (§8)."""
        task = self.current
        if task is None or task.key != action.task_key:
            return False
        self.tasks[-1] = task.changed(
            status=TaskStatus.DECLINED,
            closed_on=max(action.on, task.opened_on),
            declined_reason=action.reason,
        )
        return True

    def settle(self, day: date, *, inclusive: bool = False) -> bool:
        """Apply the open task's decline if it was taken before ``day`` (or on it, when
        ``inclusive``): before a task opens on ``day``, a decline that day counts; before one
        closes by what was done on ``day``, what was done wins."""
        task = self.current
        action = None if task is None else self.declines.get(task.key)
        if action is None or action.on > day or (action.on == day and not inclusive):
            return False
        return self.decline(action)

    def _end(self, on: date, status: TaskStatus) -> bool:
        self.settle(on)
        task = self.current
        if task is None:
            return False
        self.tasks[-1] = task.changed(status=status, closed_on=max(on, task.opened_on))
        return True

    def done(self, on: date) -> bool:
        return self._end(on, TaskStatus.DONE)

    def cancel(self, on: date) -> bool:
        return self._end(on, TaskStatus.CANCELLED)

    def redate_current(self, due: date) -> None:
        task = self.current
        if task is not None and task.due_on != due:
            self.tasks[-1] = task.changed(due_on=due)


WINDOWS: tuple[Window, ...] = ()
"""None: a ledger reckons only the dates of its tasks."""

TASK_DATES: tuple[Rule, ...] = (TaskLedger.open,)
"""`TaskLedger.open` counts a task's due date from the day it opens, which may be the day asked
(an alert the daily evaluation raises opens its task that day): a task date, which the
evaluation lists and the quiet horizon reads there (§8)."""
