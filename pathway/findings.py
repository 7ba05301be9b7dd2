"""What the engine says, as plain values: alerts, recommendations, care tasks, proposals.

Each carries its code, severity, message, source and the pathway version that produced it
(CLINICAL_SPEC preamble), so reports and the audit trail can show why it was said.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from .codes import ALERTS, RECOMMENDATIONS, TASKS, Severity

__all__ = ["Alert", "CareTask", "Proposal", "Recommendation", "TaskStatus"]


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Alert:
    code: str
    key: str
    version: str
    evidence: tuple[str, ...] = ()
    detail: str = ""

    @property
    def severity(self) -> Severity:
        return ALERTS[self.code].severity

    @property
    def message(self) -> str:
        base = ALERTS[self.code].message
        return f"{base} ({self.detail})" if self.detail else base

    @property
    def source(self) -> str:
        return ALERTS[self.code].source


@dataclass(frozen=True)
class Recommendation:
    code: str
    rank: int
    version: str

    @property
    def severity(self) -> Severity:
        return RECOMMENDATIONS[self.code].severity

    @property
    def message(self) -> str:
        return RECOMMENDATIONS[self.code].message

    @property
    def source(self) -> str:
        return RECOMMENDATIONS[self.code].source


@dataclass(frozen=True)
class CareTask:
    """One care task instance; ``key`` is its idempotency key (unique per patient)."""

    kind: str
    key: str
    opened_on: date
    due_on: date
    version: str
    status: TaskStatus = TaskStatus.OPEN
    closed_on: date | None = None
    evidence: tuple[str, ...] = ()

    def is_open(self, day: date) -> bool:
        return self.opened_on <= day and (self.closed_on is None or self.closed_on > day)

    def changed(self, **fields: Any) -> "CareTask":
        """This task with some fields changed, as ``dataclasses.replace`` would make it but
        without its per-call introspection: the ledgers re-date and close tens of thousands of
        task instances in one daily run."""
        unknown = fields.keys() - self.__dataclass_fields__.keys()
        if unknown:
            raise TypeError(f"CareTask has no field {sorted(unknown)}")
        copy = object.__new__(CareTask)
        copy.__dict__.update(self.__dict__, **fields)
        return copy

    def is_overdue(self, day: date) -> bool:
        """Overdue from the day after the due date while still open (§8)."""
        return self.is_open(day) and day > self.due_on

    @property
    def severity(self) -> Severity:
        return TASKS[self.kind].severity

    @property
    def message(self) -> str:
        return TASKS[self.kind].message

    @property
    def source(self) -> str:
        return TASKS[self.kind].source


@dataclass(frozen=True)
class Proposal:
    """A transition the engine proposes; a person fires it (§3)."""

    trigger: str
    evidence: tuple[str, ...] = ()
    reason: str = ""
