"""Reading patients' records out of the tables as the pathway's plain values.

Row ids become record ids with a prefix per table (``obs12``, ``rx7`` ...), so evidence and
idempotency keys say what they point at. Rows are read as plain tuples, never as ORM objects:
a record is read for every evaluation, and a batch of patients is read with one query per
table (the daily run and the reports stream the cohort this way).
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any, Protocol

from sqlalchemy import Insert, Select, bindparam, insert, select
from sqlmodel import Session

from pathway.record import (
    AlertRaised,
    Observation,
    PatientRecord,
    PhenotypeEntry,
    Procedure,
    TherapyEvent,
    TransitionEntry,
    Vaccination,
)

from .tables import (
    AlertRow,
    ObservationRow,
    PhenotypeEntryRow,
    ProcedureRow,
    TherapyEventRow,
    TransitionRow,
    VaccinationRow,
)

__all__ = [
    "OBSERVATION_VALUES",
    "RECORD_PREFIX",
    "RecordHead",
    "insert_entry",
    "load_record",
    "load_records",
    "record_id",
    "with_entry",
]

OBSERVATION_VALUES = (
    "fvc_pct",
    "dlco_pct",
    "dlco_corrected_pct",
    "fvc_l",
    "iu_per_ml",
    "oxygen",
    "finding",
    "extensive_ggo",
)
"""An observation's measured values, in the order `pathway.record.Observation` takes them."""

RECORD_PREFIX = {
    PhenotypeEntryRow: "ph",
    ObservationRow: "obs",
    TherapyEventRow: "rx",
    ProcedureRow: "proc",
    VaccinationRow: "vac",
    TransitionRow: "tr",
}


class RecordHead(Protocol):
    """What a record needs of the patient row (a PatientRow, or a plain row of it)."""

    id: int | None
    external_id: str
    birth_date: date
    enrolled_on: date


def record_id(row: object) -> str:
    return f"{RECORD_PREFIX[type(row)]}{row.id}"  # type: ignore[attr-defined]


@dataclass(frozen=True)
class _Part:
    """One table of the record: the columns read, and how a row of them becomes an entry.

    ``entry`` takes the row as a plain tuple ``(patient_id, id, *columns)``: rows are read by
    position, which is several times cheaper than by name, and the statement is built once
    (an expanding ``IN``), so reading one patient or five hundred costs no query building.
    """

    table: Any
    columns: tuple[str, ...]
    entry: Callable[[Sequence[Any]], object]

    @cached_property
    def _select(self) -> Select[Any]:
        table = self.table.__table__
        columns = [table.c.patient_id, table.c.id, *(table.c[name] for name in self.columns)]
        return select(*columns).order_by(table.c.patient_id, table.c.id)

    @cached_property
    def of_patients(self) -> Select[Any]:
        """A batch of patients' rows (the daily run, the reports)."""
        patient_id = self.table.__table__.c.patient_id
        return self._select.where(patient_id.in_(bindparam("ids", expanding=True)))

    @cached_property
    def of_patient(self) -> Select[Any]:
        """One patient's rows (a use case): a plain ``=`` skips expanding the ``IN``."""
        return self._select.where(self.table.__table__.c.patient_id == bindparam("id"))

    def values(self, row: object) -> tuple[Any, ...]:
        """An ORM row of the table as the tuple ``entry`` takes."""
        names = ("patient_id", "id", *self.columns)
        return tuple(getattr(row, name) for name in names)


_PARTS: dict[str, _Part] = {
    "phenotype": _Part(
        PhenotypeEntryRow,
        ("field", "value", "clinical_on", "recorded_on"),
        lambda r: PhenotypeEntry(f"ph{r[1]}", r[2], r[3], r[4], r[5]),
    ),
    "observations": _Part(
        ObservationRow,
        ("kind", "clinical_on", "recorded_on", *OBSERVATION_VALUES),
        lambda r: Observation(f"obs{r[1]}", *r[2:]),
    ),
    "therapies": _Part(
        TherapyEventRow,
        ("agent", "action", "clinical_on", "recorded_on", "route", "dose_mg_per_day"),
        lambda r: TherapyEvent(f"rx{r[1]}", *r[2:]),
    ),
    "procedures": _Part(
        ProcedureRow,
        ("kind", "clinical_on", "recorded_on"),
        lambda r: Procedure(f"proc{r[1]}", r[2], r[3], r[4]),
    ),
    "vaccinations": _Part(
        VaccinationRow,
        ("kind", "clinical_on", "recorded_on"),
        lambda r: Vaccination(f"vac{r[1]}", r[2], r[3], r[4]),
    ),
    "transitions": _Part(
        TransitionRow,
        (
            "trigger",
            "from_state",
            "to_state",
            "clinical_on",
            "recorded_on",
            "reason",
            "outcome",
            "closing_reason",
        ),
        lambda r: TransitionEntry(f"tr{r[1]}", *r[2:]),
    ),
    "alerts": _Part(
        AlertRow,
        ("code", "key", "raised_on", "evidence"),
        lambda r: AlertRaised(r[2], r[3], r[4], tuple(r[5])),
    ),
}

_TABLE_PART = {part.table: name for name, part in _PARTS.items()}


def with_entry(record: PatientRecord, row: object) -> PatientRecord | None:
    """``record`` with a row just written appended, so a use case does not read the record
    again after each write; None when the row is not part of the record."""
    name = _TABLE_PART.get(type(row))
    if name is None:
        return None
    part = _PARTS[name]
    return record.appended(name, part.entry(part.values(row)))


_INSERTS: dict[type, tuple[Insert, tuple[str, ...]]] = {}


def _insert_of(kind: type) -> tuple[Insert, tuple[str, ...]]:
    """The insert of a table and the columns it sends (all but the id), built once."""
    found = _INSERTS.get(kind)
    if found is None:
        table = kind.__table__  # type: ignore[attr-defined]
        names = tuple(column.key for column in table.columns if column.key != "id")
        found = _INSERTS[kind] = (insert(table), names)
    return found


def insert_entry(session: Session, row: Any) -> None:
    """Insert a row of the record (an unsaved table object) as a plain row and set its id.

    A use case writes each entry once and never changes it, so the ORM's unit of work (its
    flush, identity map and dirty tracking) would only cost time; every column is sent as the
    ORM sent it (None included: a JSON column spells it ``null`` either way)."""
    statement, names = _insert_of(type(row))
    values = {name: getattr(row, name) for name in names}
    result = session.connection().execute(statement, values)
    row.id = result.inserted_primary_key[0]


def _read(session: Session, part: _Part, ids: Sequence[int]) -> dict[int, list[object]]:
    found: dict[int, list[object]] = {}
    entry = part.entry
    rows = (
        session.connection().execute(part.of_patient, {"id": ids[0]})
        if len(ids) == 1
        else session.connection().execute(part.of_patients, {"ids": ids})
    )
    for row in rows:
        found.setdefault(row[0], []).append(entry(row))
    return found


def load_records(session: Session, patients: Iterable[RecordHead]) -> dict[int, PatientRecord]:
    """The records of a batch of patients, keyed by patient row id: one query per table,
    each list in recording order."""
    heads = [p for p in patients if p.id is not None]
    if not heads:
        return {}
    ids = [p.id for p in heads if p.id is not None]
    parts = {name: _read(session, part, ids) for name, part in _PARTS.items()}
    records: dict[int, PatientRecord] = {}
    for head in heads:
        pid = head.id
        assert pid is not None
        records[pid] = PatientRecord(
            head.external_id,
            head.birth_date,
            head.enrolled_on,
            **{name: tuple(found.get(pid, ())) for name, found in parts.items()},  # type: ignore[arg-type]
        )
    return records


def load_record(session: Session, patient: RecordHead) -> PatientRecord:
    """Everything recorded for ``patient``, each list in recording order."""
    assert patient.id is not None
    return load_records(session, [patient])[patient.id]
