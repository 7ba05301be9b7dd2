"""The patient row as plain values: what a use case reads, and what the writer says is stored.

The row carries the state, the phenotype in force, the audit chain's head and the version
that keeps two writers from overwriting each other. Use cases never assign to it: they ask
the writer for ``sets`` (`persistence.changes.PatientChanges`) and go on with the `Patient`
it gives back.
"""

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from .tables import PatientRow

__all__ = ["CHANGED_MEANWHILE", "NEW_PATIENT", "PATIENT_COLUMNS", "Patient"]

CHANGED_MEANWHILE = "the patient was changed by someone else since it was read; reload and retry"
"""What a writer whose version check failed is told (here and by the unit of work)."""


@dataclass(frozen=True, slots=True)
class Patient:
    """One patient row, in the table's column order."""

    id: int
    external_id: str
    external_id_folded: str
    sex: str
    birth_date: date
    enrolled_on: date
    diagnosis: str
    anti_mda5: str
    anti_ars: str
    ild_course: str | None
    risk_factors: list[str]
    weight_kg: float | None
    height_cm: float | None
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


PATIENT_COLUMNS = tuple(f.name for f in fields(Patient))
"""The patient table's columns, in its order (checked just below)."""
if tuple(column.key for column in PatientRow.__table__.columns) != PATIENT_COLUMNS:  # type: ignore[attr-defined]
    raise TypeError("Patient must name the patient table's columns, in the table's order")

NEW_PATIENT: dict[str, Any] = {
    "referral_origin": None,
    "closing_reason": None,
    "last_evaluated_on": None,
    "quiet_until": None,
    "quiet_version": None,
    "quiet_basis": None,
    "height_cm": None,
}
"""The columns an enrolment leaves empty (the writer fills the chain head and version)."""
