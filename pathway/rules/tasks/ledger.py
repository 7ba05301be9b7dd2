"""A ledger of task instances for one kind, enforcing that a kind is open at most once."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from ...findings import CareTask, TaskStatus
from ...window import Rule, Window

__all__ = ["TASK_DATES", "WINDOWS", "TaskLedger"]


@dataclass
class TaskLedger:
    kind: str
    version: str
    tasks: list[CareTask] = field(default_factory=list)

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
        if self.current is not None:
            return None
        task = CareTask(
            self.kind, f"{self.kind}:{anchor}", on, due, self.version, evidence=evidence
        )
        self.tasks.append(task)
        return task

    def _end(self, on: date, status: TaskStatus) -> bool:
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
