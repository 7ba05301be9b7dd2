"""The ports the use cases depend on: a repository of patients' records and what the engine
derived from them, inside a unit of work (cosmicpython's repository + unit of work).

Two stores implement them: SQL (`persistence.sql_store`, SQLite or PostgreSQL) and memory
(`persistence.memory_store`, for the fast tier of use-case tests). One contract suite
(`tests/contract/`) holds both to the same behaviour, as APScheduler holds its job stores.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import TracebackType
from typing import Any, Protocol, Self

from pathway import PatientRecord

from .audit_key import AuditKeyring
from .changes import PatientChanges, StoredTask, Written
from .patients import Patient
from .tables import (
    AlertRow,
    CareTaskRow,
    ObservationRow,
    PhenotypeEntryRow,
    ProcedureRow,
    RetractionRow,
    TaskActionRow,
    TherapyEventRow,
    TransitionRow,
    VaccinationRow,
)

__all__ = ["PatientRepository", "Store", "StoredRows", "UnitOfWork"]


@dataclass(frozen=True)
class StoredRows:
    """A patient's rows as stored, for what a person reads (the summary, the timeline)."""

    alerts: list[AlertRow]
    tasks: list[CareTaskRow]
    transitions: list[TransitionRow]
    observations: list[ObservationRow]
    therapy_events: list[TherapyEventRow]
    procedures: list[ProcedureRow]
    vaccinations: list[VaccinationRow]
    phenotype_entries: list[PhenotypeEntryRow]
    retractions: list[RetractionRow] = field(default_factory=list)
    """Entries corrected or entered in error (§11): the history shows them taken back."""
    task_actions: list[TaskActionRow] = field(default_factory=list)
    """People's actions on the care tasks (§8): declined, rescheduled, assigned."""


class PatientRepository(Protocol):
    """Patients' records, and what the engine derived from them, within one unit of work."""

    def find(self, external_id: str) -> Patient | None:
        """The patient with this external id, or None."""
        ...

    def get(self, patient_id: int) -> Patient | None:
        """The patient with this row id, or None."""
        ...

    def present(self, external_ids: Iterable[str]) -> set[str]:
        """Which of these external ids are enrolled already."""
        ...

    def enrolled_as(self, external_ids: Iterable[str]) -> dict[str, str]:
        """For each of these ids enrolled already whatever the case (compared by
        `pathway.patient_identifier.folded_id`), the id as enrolled: ``{"demo-1": "DEMO-1"}``
        while ``DEMO-1`` is enrolled; an id not enrolled is left out."""
        ...

    def records(self, patients: Sequence[Patient]) -> dict[int, PatientRecord]:
        """The patients' records by row id: every entry and every alert raised, each part in
        recording order (the rules ask what was known on a day themselves)."""
        ...

    def stored_tasks(self, patient_ids: Sequence[int]) -> dict[int, list[StoredTask]]:
        """Every task row of these patients, in the order they were opened."""
        ...

    def alert(self, alert_id: int) -> AlertRow | None:
        """One alert as stored, or None."""
        ...

    def task(self, task_id: int) -> CareTaskRow | None:
        """One care task as stored, or None (a person acts on it by its id, §8)."""
        ...

    def rows(self, patient: Patient) -> StoredRows:
        """The patient's rows as stored, each list in the order written."""
        ...

    def to_judge(self, day: date, after: int, limit: int, last: int | None = None) -> list[Patient]:
        """The next patients after row ``after`` (up to row ``last``), not closed and not yet
        judged on ``day``, in row order."""
        ...

    def ids_to_judge(self, day: date, after: int, limit: int) -> list[int]:
        """The row ids of `to_judge` alone (a run finds its batches' bounds with them)."""
        ...

    def carry_quiet(self, day: date, quiet_basis: str, from_id: int) -> int:
        """Mark judged on ``day``, unread, the patients whose judgement cannot have changed:
        quiet through ``day``, unwritten since they were judged (their version is the one
        judged) and judged under ``quiet_basis``. How many."""
        ...

    def write(self, batch: Sequence[PatientChanges], now: Callable[[], datetime]) -> list[Written]:
        """Write the changes through the one writer (`persistence.writer`), each patient's
        rows stamped with one reading of ``now``."""
        ...


class UnitOfWork(Protocol):
    """One transaction: committed when the block ends normally, otherwise nothing is
    written. A concurrent writer's change to a patient written here becomes
    `ConcurrencyConflict`."""

    @property
    def patients(self) -> PatientRepository: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...


class Store(Protocol):
    """Where the records live: gives units of work."""

    keyring: AuditKeyring
    """The audit key the store's chains are signed with."""

    def unit_of_work(self) -> UnitOfWork: ...

    def fingerprint(self) -> tuple[Any, ...]:
        """What any write changes (the rows of every table, each patient's version and chain
        head): a refused entry must leave it as it was."""
        ...

    @property
    def shareable(self) -> bool:
        """Whether other processes can work on this store (the daily run's workers)."""
        ...
