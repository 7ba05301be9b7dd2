"""The patient row as a use case holds it: plain values read and written through SQL Core.

Every use case reads one patient and writes it back (its state, phenotype, audit head), with the
version check that keeps two writers from overwriting each other. Done through the ORM, that
read, the dirty tracking and the version-checked flush cost more than the rest of a transition's
writes together; here the row is one ``SELECT`` into a plain object, and its changes one
``UPDATE ... WHERE id = :id AND version = :read`` (a statement built once per set of changed
columns), whose missing row is the concurrent write the ORM's version counter caught.
"""

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import Update, bindparam, select, update
from sqlmodel import Session

from .errors import ConcurrencyConflict
from .tables import PatientRow

__all__ = [
    "CHANGED_MEANWHILE",
    "PATIENT_COLUMNS",
    "Patient",
    "held",
    "read_patient",
    "write_patient",
]

CHANGED_MEANWHILE = "the patient was changed by someone else since it was read; reload and retry"
"""What a writer whose version check failed is told (here and by the unit of work)."""

_PATIENT = PatientRow.__table__  # type: ignore[attr-defined]


@dataclass(eq=False, slots=True)
class Patient:
    """One patient row as plain values, in the table's column order; changed by assignment
    and written back by `write_patient`."""

    id: int
    external_id: str
    sex: str
    birth_date: date
    enrolled_on: date
    diagnosis: str
    anti_mda5: str
    anti_ars: str
    ild_course: str | None
    risk_factors: list[str]
    weight_kg: float | None
    state: str
    state_since: date
    referral_origin: str | None
    closing_reason: str | None
    pathway_version: str
    last_evaluated_on: date | None
    quiet_until: date | None
    quiet_version: int | None
    quiet_basis: str | None
    audit_seq: int
    audit_head: str
    created_at: datetime
    version: int
    _stored: tuple[Any, ...] = field(default=(), repr=False)
    """The values as the database has them (read, or last written)."""

    def __post_init__(self) -> None:
        self._stored = self._values()

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in PATIENT_COLUMNS)

    def changes(self) -> dict[str, Any]:
        """The columns assigned a value other than the stored one (the version aside)."""
        return {
            name: value
            for name, value, stored in zip(
                PATIENT_COLUMNS, self._values(), self._stored, strict=True
            )
            if value != stored and name != "version"
        }


PATIENT_COLUMNS = tuple(f.name for f in fields(Patient) if not f.name.startswith("_"))
"""The patient table's columns, in its order (checked just below)."""
if tuple(column.key for column in _PATIENT.columns) != PATIENT_COLUMNS:
    raise TypeError("Patient must name the patient table's columns, in the table's order")

_READ = select(*_PATIENT.columns)
_BY_EXTERNAL_ID = _READ.where(_PATIENT.c.external_id == bindparam("key"))
_BY_ID = _READ.where(_PATIENT.c.id == bindparam("key"))
_UPDATES: dict[tuple[str, ...], Update] = {}


def read_patient(
    session: Session, *, external_id: str | None = None, id: int | None = None
) -> Patient | None:
    """The patient with this external id (or row id), or None."""
    statement, key = (_BY_ID, id) if external_id is None else (_BY_EXTERNAL_ID, external_id)
    row = session.connection().execute(statement, {"key": key}).first()
    return None if row is None else Patient(*row)


def held(row: PatientRow) -> Patient:
    """A patient row just inserted through the ORM (enrolment), as the plain values a use case
    goes on with; the ORM object is not written again."""
    return Patient(*(getattr(row, name) for name in PATIENT_COLUMNS))


def _update(names: tuple[str, ...]) -> Update:
    """``UPDATE patient SET <names>, version = version + 1 WHERE id AND version``, built once
    per set of columns."""
    statement = _UPDATES.get(names)
    if statement is None:
        values: dict[str, Any] = {name: bindparam(name) for name in names}
        values["version"] = _PATIENT.c.version + 1
        statement = _UPDATES[names] = (
            update(_PATIENT)
            .where(_PATIENT.c.id == bindparam("_id"), _PATIENT.c.version == bindparam("_read"))
            .values(values)
        )
    return statement


def write_patient(session: Session, patient: Patient) -> None:
    """Write the patient's changes, if any, and move its version on; `ConcurrencyConflict`
    (nothing written) when the stored version is no longer the one read, i.e. someone else
    wrote the patient in between."""
    changes = patient.changes()
    if not changes:
        return
    statement = _update(tuple(changes))
    params = {"_id": patient.id, "_read": patient.version, **changes}
    if session.connection().execute(statement, params).rowcount != 1:
        raise ConcurrencyConflict(CHANGED_MEANWHILE)
    patient.version += 1
    patient._stored = patient._values()
