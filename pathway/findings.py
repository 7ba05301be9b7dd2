"""What the engine says, as plain values: alerts, recommendations, care tasks, proposals.

Each carries its code, severity, message, source and the pathway version that produced it
(CLINICAL_SPEC preamble), so reports and the audit trail can show why it was said.
"""

import re
from dataclasses import dataclass, fields
from datetime import date
from enum import StrEnum
from typing import Any

from .codes import ALERTS, RECOMMENDATIONS, TASKS, Severity
from .definition import PathwayDefinition
from .labels import days

__all__ = ["Alert", "CareTask", "Proposal", "Recommendation", "TaskStatus", "worded"]


_DAY_COUNT = re.compile(r"\{(\w+_days)\} days")
"""A number of days written into a message: ``1 day``, ``14 days`` (`pathway.labels.days`)."""


def worded(message: str, definition: PathwayDefinition) -> str:
    """A code's message with the numbers of the definition in force written in: a clinic that
    widens a window reads its own window, and the stored alert keeps the words it was raised
    with even after the definition changes."""
    if "{" not in message:
        return message
    values = {f.name: getattr(definition, f.name) for f in fields(definition)}
    counted = _DAY_COUNT.sub(lambda m: days(int(values[m.group(1)])), message)
    return counted.format_map(values)


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"
    DECLINED = "declined"
    """Closed by a person's decline with a reason (§8 Acting on a task): not overdue, not
    reopened by the event that opened it, counted apart in §10."""


@dataclass(frozen=True)
class Alert:
    """Made by `Alert.under` the definition in force, which words it and stamps its version."""

    code: str
    key: str
    version: str
    wording: str
    evidence: tuple[str, ...] = ()
    detail: str = ""

    @classmethod
    def under(
        cls,
        definition: PathwayDefinition,
        code: str,
        key: str,
        evidence: tuple[str, ...] = (),
        detail: str = "",
    ) -> "Alert":
        wording = worded(ALERTS[code].message, definition)
        return cls(code, key, definition.version, wording, evidence, detail)

    @property
    def severity(self) -> Severity:
        return ALERTS[self.code].severity

    @property
    def message(self) -> str:
        return f"{self.wording} ({self.detail})" if self.detail else self.wording

    @property
    def source(self) -> str:
        return ALERTS[self.code].source


@dataclass(frozen=True)
class Recommendation:
    """Made by `Recommendation.under` the definition in force, as `Alert` is."""

    code: str
    rank: int
    version: str
    message: str
    in_place_since: date | None = None
    """§4: already carried out (its agents active, its procedure done) since this day; it keeps
    its rank but is no longer a proposal."""

    @classmethod
    def under(
        cls,
        definition: PathwayDefinition,
        code: str,
        rank: int,
        in_place_since: date | None = None,
    ) -> "Recommendation":
        message = worded(RECOMMENDATIONS[code].message, definition)
        return cls(code, rank, definition.version, message, in_place_since)

    @property
    def in_place(self) -> bool:
        return self.in_place_since is not None

    @property
    def severity(self) -> Severity:
        return RECOMMENDATIONS[self.code].severity

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
    rescheduled_to: date | None = None
    """A person's new due date (§8 Acting on a task): overdue counts from it, while
    ``due_on`` stays the engine's date (shown beside it; §10's on-time measures use it)."""
    assignee: str | None = None
    """The user the task is assigned to: its reminders go to them where a channel can."""
    declined_reason: str | None = None

    @property
    def due_in_force(self) -> date:
        """The date overdue counts from: the rescheduled date, else the engine's."""
        return self.rescheduled_to or self.due_on

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
        """Overdue from the day after the due date in force while still open (§8); a
        declined task is closed, so never overdue."""
        return self.is_open(day) and day > self.due_in_force

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
