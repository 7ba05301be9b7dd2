"""What the one writer is asked to write for a patient, and what it says it wrote.

A use case, the daily run and the bulk import all describe their work in these values (the
entries, the alerts raised, the task changes, the acknowledgements, the patient's new
columns) and hand them to `persistence.writer`, which alone turns them into rows and audit
events. Each item carries the audit event it must leave, so nothing is written unaudited.
"""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from pathway.findings import Alert, CareTask

from .patients import Patient

__all__ = [
    "ENGINE",
    "Acknowledgement",
    "Actor",
    "Audit",
    "AuditOnly",
    "Item",
    "NewAlert",
    "NewEntry",
    "NewPatient",
    "PatientChanges",
    "StoredTask",
    "TaskChange",
    "Written",
]


@dataclass(frozen=True)
class Actor:
    """Who did it, in which role (recorded on every audit event and transition)."""

    name: str
    role: str


ENGINE = Actor("ildpath-engine", "system")
"""The actor of what the engine itself writes (alerts raised, tasks opened and closed)."""


class Audit(NamedTuple):
    """The audit event an item leaves: its kind, payload and clinical day, and who did it.
    ``id_key`` names the payload field that receives the id of the row written.

    A named tuple (as `NewEntry`): a bulk import makes hundreds of thousands of them."""

    kind: str
    payload: Mapping[str, Any]
    clinical_on: date | None
    actor: Actor
    id_key: str | None = None


class NewEntry(NamedTuple):
    """One entry of the record (`pathway.record.ENTRY_PARTS`): ``values`` are the part's own
    columns; the patient, the days, the actor and the instant are the writer's to add."""

    part: str
    on: date
    values: Mapping[str, Any]
    actor: Actor
    audit: Audit | None


@dataclass(frozen=True)
class NewAlert:
    """An alert the engine raises on ``raised_on`` (audited as the engine's); ``clinical_on``
    is the date of its cause (§7a), ``cleared`` its clearing when already met as it is raised
    (a late third agent of the step-up window)."""

    alert: Alert
    raised_on: date
    clinical_on: date | None = None
    cleared_on: date | None = None
    cleared_by: str | None = None


@dataclass(frozen=True)
class AlertFateChange:
    """A raised alert withdrawn (within its recording day) or cleared (§7a): the alert row's
    ``fields`` and the audit event that says which entry did it."""

    alert_id: int
    fields: Mapping[str, Any]
    audit: Audit


@dataclass(frozen=True)
class StoredTask:
    """What reconciliation needs of a stored care task row."""

    id: int | None
    key: str
    kind: str
    opened_on: date
    due_on: date
    status: str
    closed_on: date | None
    rescheduled_to: date | None = None
    assignee: str | None = None
    declined_reason: str | None = None


@dataclass(frozen=True)
class TaskChange:
    """A care task row to insert (``stored`` is None) or update with ``fields``."""

    key: str
    fields: Mapping[str, Any]
    audit: Audit
    task: CareTask | None = None
    stored: StoredTask | None = None


@dataclass(frozen=True)
class Acknowledgement:
    """A clinician's acknowledgement of one alert, with the justification."""

    alert_id: int
    code: str
    key: str
    justification: str
    by: Actor


@dataclass(frozen=True)
class AuditOnly:
    """An audit event with no row of its own (the enrolment, whose rows are its phenotype
    entries)."""

    audit: Audit


Item = NewEntry | NewAlert | TaskChange | Acknowledgement | AuditOnly | AlertFateChange


@dataclass(frozen=True)
class NewPatient:
    """A patient to enrol: the patient table's columns but the id, the audit head and the
    version, which are the writer's."""

    columns: Mapping[str, Any]


@dataclass
class PatientChanges:
    """Everything one writer call writes for one patient, in order (the audit chain follows
    the items' order). ``sets`` are patient columns to change; the patient's version moves on
    only if it is still the one read (`ConcurrencyConflict` otherwise).

    An entry's ``evidence`` may cite an entry of the same changes before it has an id, by its
    place among the changes' entries: ``obs#3`` is the third entry (the bulk import decides a
    whole history before writing it); the writer puts the real id in its place."""

    patient: Patient | NewPatient
    items: Sequence[Item]
    today: date
    """The clinic day of the writing: every entry's ``recorded_on``."""
    pathway_version: str
    sets: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Written:
    """What one patient's changes became: the patient as now stored, and the row written
    for each item (by the item's place; an audit-only item has none)."""

    patient: Patient
    items: Sequence[Item]
    rows: Mapping[int, Mapping[str, Any]]

    def _placed(self) -> Iterator[tuple[Item, Mapping[str, Any]]]:
        for i in sorted(self.rows):
            yield self.items[i], self.rows[i]

    def entries(self) -> Iterator[tuple[NewEntry, Mapping[str, Any]]]:
        """Each entry written, with its row, in the items' order."""
        for item, row in self._placed():
            if isinstance(item, NewEntry):
                yield item, row

    def alerts(self) -> Iterator[Mapping[str, Any]]:
        """Each alert raised, as stored."""
        for item, row in self._placed():
            if isinstance(item, NewAlert):
                yield row

    def tasks(self) -> Iterator[tuple[TaskChange, Mapping[str, Any]]]:
        """Each task opened (``stored`` is None) or changed, with the values written."""
        for item, row in self._placed():
            if isinstance(item, TaskChange):
                yield item, row
