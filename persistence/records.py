"""Reading patients' records out of the tables as the pathway's plain values.

Row ids become record ids with a prefix per table (``obs12``, ``rx7`` ...), so evidence and
idempotency keys say what they point at. Rows are read as plain tuples, never as ORM objects:
a record is read for every evaluation, and a batch of patients is read with one query per
table (the daily run and the reports stream the cohort this way).
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy import select
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
    "RECORD_PREFIX",
    "RecordHead",
    "load_record",
    "load_records",
    "record_id",
    "with_entry",
]

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
    """One table of the record: the columns read, and how a row of them becomes an entry."""

    table: Any
    columns: tuple[str, ...]
    entry: Callable[[Any], object]


def _observation(r: Any) -> Observation:
    return Observation(
        f"obs{r.id}",
        r.kind,
        r.clinical_on,
        r.recorded_on,
        r.fvc_pct,
        r.dlco_pct,
        r.dlco_corrected_pct,
        r.fvc_l,
        r.iu_per_ml,
        r.oxygen,
        r.finding,
        r.extensive_ggo,
    )


_PARTS: dict[str, _Part] = {
    "phenotype": _Part(
        PhenotypeEntryRow,
        ("field", "value", "clinical_on", "recorded_on"),
        lambda r: PhenotypeEntry(f"ph{r.id}", r.field, r.value, r.clinical_on, r.recorded_on),
    ),
    "observations": _Part(
        ObservationRow,
        (
            "kind",
            "clinical_on",
            "recorded_on",
            "fvc_pct",
            "dlco_pct",
            "dlco_corrected_pct",
            "fvc_l",
            "iu_per_ml",
            "oxygen",
            "finding",
            "extensive_ggo",
        ),
        _observation,
    ),
    "therapies": _Part(
        TherapyEventRow,
        ("agent", "action", "clinical_on", "recorded_on", "route", "dose_mg_per_day"),
        lambda r: TherapyEvent(
            f"rx{r.id}", r.agent, r.action, r.clinical_on, r.recorded_on, r.route, r.dose_mg_per_day
        ),
    ),
    "procedures": _Part(
        ProcedureRow,
        ("kind", "clinical_on", "recorded_on"),
        lambda r: Procedure(f"proc{r.id}", r.kind, r.clinical_on, r.recorded_on),
    ),
    "vaccinations": _Part(
        VaccinationRow,
        ("kind", "clinical_on", "recorded_on"),
        lambda r: Vaccination(f"vac{r.id}", r.kind, r.clinical_on, r.recorded_on),
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
        lambda r: TransitionEntry(
            f"tr{r.id}",
            r.trigger,
            r.from_state,
            r.to_state,
            r.clinical_on,
            r.recorded_on,
            r.reason,
            r.outcome,
            r.closing_reason,
        ),
    ),
    "alerts": _Part(
        AlertRow,
        ("code", "key", "raised_on", "evidence"),
        lambda r: AlertRaised(r.code, r.key, r.raised_on, tuple(r.evidence)),
    ),
}

_TABLE_PART = {part.table: name for name, part in _PARTS.items()}


def with_entry(record: PatientRecord, row: object) -> PatientRecord | None:
    """``record`` with a row just written appended, so a use case does not read the record
    again after each write; None when the row is not part of the record."""
    name = _TABLE_PART.get(type(row))
    if name is None:
        return None
    return record.appended(name, _PARTS[name].entry(row))


def _read(session: Session, part: _Part, ids: Sequence[int]) -> dict[int, list[object]]:
    table = part.table.__table__
    columns = [table.c.patient_id, table.c.id, *(table.c[name] for name in part.columns)]
    where = table.c.patient_id == ids[0] if len(ids) == 1 else table.c.patient_id.in_(ids)
    query = select(*columns).where(where).order_by(table.c.patient_id, table.c.id)
    found: dict[int, list[object]] = {}
    entry = part.entry
    for row in session.execute(query):
        found.setdefault(row.patient_id, []).append(entry(row))
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
