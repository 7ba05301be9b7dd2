"""The store in memory: the same rows as the SQL store, kept in dictionaries, for the fast
tier of use-case tests. Held to the SQL store's behaviour by the contract suite
(`tests/contract/`), it is written by the same one writer (`persistence.writer`), so the
rows, ids and audit chains it keeps are those SQL keeps.

A unit of work reads the patients as they were when it began, copies a patient before it
first writes to it, and at the commit puts its copies in place, refusing with
`ConcurrencyConflict` a patient someone else committed meanwhile (as SQL's version check
does). Ids are taken from counters shared by every unit of work, like sequences: one rolled
back leaves a gap, and two never take the same id.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from types import TracebackType
from typing import Any, Self

from pathway import PatientRecord
from pathway.patient_identifier import folded_id

from .audit_key import AuditKeyring
from .changes import PatientChanges, StoredTask, Written
from .errors import ConcurrencyConflict
from .patients import CHANGED_MEANWHILE, Patient
from .ports import StoredRows
from .records import PART_TABLE, assembled, entry_of
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
from .writer import write

__all__ = ["MemoryStore", "MemoryUnitOfWork"]

_ROW_CLASSES: dict[str, Any] = {
    "alert": AlertRow,
    "care_task": CareTaskRow,
    "transition": TransitionRow,
    "observation": ObservationRow,
    "therapy_event": TherapyEventRow,
    "procedure": ProcedureRow,
    "vaccination": VaccinationRow,
    "phenotype_entry": PhenotypeEntryRow,
    "retraction": RetractionRow,
    "task_action": TaskActionRow,
}


@cache
def _unset(table: str) -> dict[str, None]:
    """The nullable columns of ``table`` as a row that sets none of them holds them in SQL
    (NULL): an entry written without a value column reads back alike from every store."""
    columns = _ROW_CLASSES[table].__table__.columns if table in _ROW_CLASSES else ()
    return {c.name: None for c in columns if c.nullable and c.default is None}


@dataclass
class _PatientRows:
    """One patient's row and every row of its record, derived rows and audit trail."""

    patient: dict[str, Any]
    tables: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)

    def copy(self) -> "_PatientRows":
        return _PatientRows(dict(self.patient), {t: dict(r) for t, r in self.tables.items()})

    def ordered(self, table: str) -> list[dict[str, Any]]:
        rows = self.tables.get(table, {})
        return [rows[i] for i in sorted(rows)]


class MemoryStore:
    """Patients' records in memory (one process)."""

    shareable = False
    """Other processes cannot see it: the daily run judges in this one."""

    def __init__(self, keyring: AuditKeyring | None = None) -> None:
        self.patients: dict[int, _PatientRows] = {}
        self.external_ids: dict[str, int] = {}
        self.folded_ids: dict[str, int] = {}
        """Patients by their id as ids are compared (SQL's unique ``external_id_folded``)."""
        self.alert_owners: dict[int, int] = {}
        self.last_ids: dict[str, int] = {}
        self.keyring = keyring or AuditKeyring.generate()
        """Default: a key held in memory with the records (nothing outside this process
        verifies them)."""

    def unit_of_work(self) -> "MemoryUnitOfWork":
        return MemoryUnitOfWork(self)

    def next_id(self, table: str) -> int:
        self.last_ids[table] = self.last_ids.get(table, 0) + 1
        return self.last_ids[table]

    def fingerprint(self) -> tuple[Any, ...]:
        tables = sorted({t for p in self.patients.values() for t in p.tables})
        counts = tuple(
            sum(len(p.tables.get(t, {})) for p in self.patients.values()) for t in tables
        )
        heads = tuple(
            (p.patient["version"], p.patient["audit_head"])
            for _, p in sorted(self.patients.items())
        )
        return len(self.patients), counts, heads

    def rows(self, table: str) -> Iterator[dict[str, Any]]:
        """Every row of a table, in id order (for the contract suite's comparisons)."""
        if table == "patient":
            found = [p.patient for p in self.patients.values()]
        else:
            found = [
                row for p in self.patients.values() for row in p.tables.get(table, {}).values()
            ]
        yield from sorted(found, key=lambda row: row["id"])


class _MemoryTables:
    """The writer's `Tables` over a unit of work's copies."""

    def __init__(self, work: "MemoryUnitOfWork") -> None:
        self.work = work

    def insert(self, table: str, columns: dict[str, list[Any]], *, ids: bool = True) -> list[int]:
        names = tuple(columns)
        rows = [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=True)]
        return self._insert_rows(table, rows)

    def _insert_rows(self, table: str, rows: list[dict[str, Any]]) -> list[int]:
        ids = []
        for row in rows:
            row_id = self.work.store.next_id(table)
            stored = {**_unset(table), "id": row_id, **row}
            if table == "patient":
                self.work.add_patient(stored)
            else:
                self.work.writable(stored["patient_id"]).tables.setdefault(table, {})[row_id] = (
                    stored
                )
                if table == "alert":
                    self.work.alert_owners[row_id] = stored["patient_id"]
            ids.append(row_id)
        return ids

    def update(self, table: str, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            owner = self.work.owner(table, row["id"])
            stored = self.work.writable(owner).tables[table]
            stored[row["id"]] = {**stored[row["id"]], **row}

    def update_patients(self, rows: list[dict[str, Any]]) -> int:
        changed = 0
        for row in rows:
            if self.work.version(row["id"]) != row["_read"]:
                continue
            patient = self.work.writable(row["id"]).patient
            patient.update({k: v for k, v in row.items() if k != "_read"})
            self.work.versions[row["id"]] = patient["version"]
            changed += 1
        return changed


class MemoryUnitOfWork:
    """One transaction on the memory store."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.patients = _MemoryPatients(self)

    def __enter__(self) -> Self:
        self.view: dict[int, _PatientRows] = dict(self.store.patients)
        self.copied: dict[int, int | None] = {}
        """Patients copied for writing, with the version each had when copied."""
        self.carried: dict[int, date] = {}
        self.versions: dict[int, int] = {}
        """Versions this unit of work gave patients."""
        self.external_ids: dict[str, int] = {}
        self.folded_ids: dict[str, int] = {}
        self.alert_owners: dict[int, int] = {}
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is None:
            self._commit()

    def version(self, patient_id: int) -> int | None:
        """The patient's version as a version check sees it: as this unit of work set it
        (or enrolled the patient), or else as last committed (a concurrent writer's commit
        counts, as in SQL)."""
        if patient_id in self.versions:
            return self.versions[patient_id]
        if self.copied.get(patient_id, 0) is None:
            return int(self.view[patient_id].patient["version"])
        committed = self.store.patients.get(patient_id)
        return None if committed is None else int(committed.patient["version"])

    def writable(self, patient_id: int) -> _PatientRows:
        """The patient's rows as this unit of work may change them (copied on first use)."""
        if patient_id not in self.copied:
            rows = self.view[patient_id]
            self.copied[patient_id] = rows.patient["version"]
            self.view[patient_id] = rows.copy()
        return self.view[patient_id]

    def add_patient(self, row: dict[str, Any]) -> None:
        self.view[row["id"]] = _PatientRows(row)
        self.copied[row["id"]] = None
        self.external_ids[row["external_id"]] = row["id"]
        self.folded_ids[row["external_id_folded"]] = row["id"]

    def owner(self, table: str, row_id: int) -> int:
        """The patient a row of ``table`` belongs to."""
        if table == "alert":
            found = self.alert_owners.get(row_id, self.store.alert_owners.get(row_id))
            if found is not None:
                return found
        for patient_id, rows in self.view.items():
            if row_id in rows.tables.get(table, {}):
                return patient_id
        raise KeyError(f"no {table} row {row_id}")

    def _commit(self) -> None:
        live = self.store.patients
        for patient_id, version in self.copied.items():
            stored = live.get(patient_id)
            if version is None:
                taken = self.store.folded_ids.get(
                    self.view[patient_id].patient["external_id_folded"]
                )
                if taken is not None and taken != patient_id:
                    raise ConcurrencyConflict("the patient was enrolled by someone else meanwhile")
            elif stored is None or stored.patient["version"] != version:
                raise ConcurrencyConflict(CHANGED_MEANWHILE)
        for patient_id in self.copied:
            live[patient_id] = self.view[patient_id]
        for patient_id, day in self.carried.items():
            if patient_id not in self.copied and patient_id in live:
                carried = live[patient_id].copy()
                carried.patient["last_evaluated_on"] = day
                live[patient_id] = carried
        self.store.external_ids.update(self.external_ids)
        self.store.folded_ids.update(self.folded_ids)
        self.store.alert_owners.update(self.alert_owners)


def _patient(row: dict[str, Any]) -> Patient:
    return Patient(**row)


class _MemoryPatients:
    """The repository over one unit of work."""

    def __init__(self, work: MemoryUnitOfWork) -> None:
        self.work = work

    def find(self, external_id: str) -> Patient | None:
        found = self.work.external_ids.get(
            external_id, self.work.store.external_ids.get(external_id)
        )
        return None if found is None else self.get(found)

    def _rows(self, patient_id: int) -> _PatientRows | None:
        """The patient as this unit of work sees it, or as committed since it began (an
        enrolment by someone else meanwhile, which SQL's unique id would refuse too)."""
        return self.work.view.get(patient_id) or self.work.store.patients.get(patient_id)

    def get(self, patient_id: int) -> Patient | None:
        rows = self.work.view.get(patient_id)
        return None if rows is None else _patient(rows.patient)

    def present(self, external_ids: Iterable[str]) -> set[str]:
        return {e for e in external_ids if self.find(e) is not None}

    def enrolled_as(self, external_ids: Iterable[str]) -> dict[str, str]:
        found = {}
        for external_id in external_ids:
            key = folded_id(external_id)
            row_id = self.work.folded_ids.get(key, self.work.store.folded_ids.get(key))
            rows = None if row_id is None else self._rows(row_id)
            if rows is not None:
                found[external_id] = rows.patient["external_id"]
        return found

    def records(self, patients: Sequence[Patient]) -> dict[int, PatientRecord]:
        records = {}
        for patient in patients:
            rows = self.work.view[patient.id]
            parts = {
                part: [entry_of(part, row) for row in rows.ordered(table)]
                for part, table in PART_TABLE.items()
            }
            records[patient.id] = assembled(patient, parts)
        return records

    def stored_tasks(self, patient_ids: Sequence[int]) -> dict[int, list[StoredTask]]:
        return {
            patient_id: [
                StoredTask(
                    row["id"],
                    row["key"],
                    row["kind"],
                    row["opened_on"],
                    row["due_on"],
                    row["status"],
                    row["closed_on"],
                    row.get("rescheduled_to"),
                    row.get("assignee"),
                    row.get("declined_reason"),
                )
                for row in self.work.view[patient_id].ordered("care_task")
            ]
            for patient_id in patient_ids
            if patient_id in self.work.view
        }

    def alert(self, alert_id: int) -> AlertRow | None:
        try:
            owner = self.work.owner("alert", alert_id)
        except KeyError:
            return None
        rows = self.work.view.get(owner)
        if rows is None or alert_id not in rows.tables.get("alert", {}):
            return None
        return AlertRow(**rows.tables["alert"][alert_id])

    def task(self, task_id: int) -> CareTaskRow | None:
        try:
            owner = self.work.owner("care_task", task_id)
        except KeyError:
            return None
        return CareTaskRow(**self.work.view[owner].tables["care_task"][task_id])

    def rows(self, patient: Patient) -> StoredRows:
        rows = self.work.view[patient.id]

        def of(table: str) -> list[Any]:
            return [_ROW_CLASSES[table](**row) for row in rows.ordered(table)]

        return StoredRows(
            of("alert"),
            of("care_task"),
            of("transition"),
            of("observation"),
            of("therapy_event"),
            of("procedure"),
            of("vaccination"),
            of("phenotype_entry"),
            of("retraction"),
            of("task_action"),
        )

    def to_judge(self, day: date, after: int, limit: int, last: int | None = None) -> list[Patient]:
        found = []
        for patient_id in sorted(self.work.view):
            if patient_id <= after or (last is not None and patient_id > last):
                continue
            row = self.work.view[patient_id].patient
            judged = row["last_evaluated_on"]
            if row["state"] != "closed" and (judged is None or judged < day):
                found.append(_patient(row))
                if len(found) == limit:
                    break
        return found

    def ids_to_judge(self, day: date, after: int, limit: int) -> list[int]:
        return [patient.id for patient in self.to_judge(day, after, limit)]

    def carry_quiet(self, day: date, quiet_basis: str, from_id: int) -> int:
        carried = 0
        for patient_id, rows in self.work.view.items():
            row = rows.patient
            judged = row["last_evaluated_on"]
            if (
                patient_id >= from_id
                and row["state"] != "closed"
                and (judged is None or judged < day)
                and row["quiet_until"] is not None
                and row["quiet_until"] >= day
                and row["quiet_version"] == row["version"]
                and row["quiet_basis"] == quiet_basis
            ):
                self.work.view[patient_id] = _PatientRows(
                    {**row, "last_evaluated_on": day}, rows.tables
                )
                self.work.carried[patient_id] = day
                carried += 1
        return carried

    def write(self, batch: Sequence[PatientChanges], now: Callable[[], datetime]) -> list[Written]:
        return write(_MemoryTables(self.work), batch, now, self.work.store.keyring)
