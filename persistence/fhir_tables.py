"""Which FHIR resources were imported, and what each became: the ledger that makes a FHIR
import idempotent.

One row per imported resource *part* (a MedicationStatement with a start and an end becomes a
start and a stop; every other resource has one part). The resource's identity is independent
of the bundle that carried it, and keyed by the sending system and the patient
(``keyed_identity``: source, ildpath patient id, then ``resourceType`` + identifier
``system|value``, else its absolute ``fullUrl`` or ``resourceType/id``), so two sites' or two
patients' ``Observation/pft-1`` are two resources; its SHA-256 and the part are unique, so the
same resource imported twice, by one import or two at once, is written once. ``digest`` is the
hash of the resource's content when it was imported: a later import of the same resource with
other content is reported as changed, never applied over the record.
"""

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint, func
from sqlmodel import Field, Session, SQLModel, col, select

from .types import UTCDateTime

__all__ = [
    "FhirImportRow",
    "PatientIdentifierRow",
    "count_imports",
    "find_imports",
    "identity_hash",
    "keyed_identity",
]


class FhirImportRow(SQLModel, table=True):
    """One part of one imported FHIR resource and the row of the record it created."""

    __tablename__ = "fhir_import"
    __table_args__ = (
        UniqueConstraint("identity_hash", "part", name="uq_fhir_import_identity_part"),
    )

    id: int | None = Field(default=None, primary_key=True)
    identity_hash: str = Field(max_length=64)
    part: str = Field(max_length=16)
    identity: str = Field(sa_column=Column(Text, nullable=False))
    resource_type: str = Field(max_length=40)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    row_kind: str = Field(max_length=32)
    row_id: int
    digest: str = Field(max_length=64)
    actor: str = Field(max_length=64)
    imported_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class PatientIdentifierRow(SQLModel, table=True):
    """An identifier the sending system gives the patient (an MRN, …), kept so the export
    carries it back and the EHR can link ildpath's CarePlan and Tasks to its patient. One
    identifier (system, value) belongs to one patient."""

    __tablename__ = "patient_identifier"
    __table_args__ = (UniqueConstraint("system", "value", name="uq_patient_identifier"),)

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    system: str = Field(sa_column=Column(Text, nullable=False))
    value: str = Field(sa_column=Column(Text, nullable=False))
    type_code: str | None = Field(default=None, max_length=32)
    source: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    recorded_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


def keyed_identity(source: str, patient: str, identity: str) -> str:
    """A resource's identity in ildpath: the sending system (``""`` when unnamed), the
    ildpath patient it is about, and its identity in that system (``bundle.Entry.identity``).
    JSON, so no id can forge another's key with a separator."""
    return json.dumps([source, patient, identity], ensure_ascii=False, separators=(",", ":"))


def identity_hash(identity: str) -> str:
    """The fixed-length key of an identity (identifiers may be long; an index may not)."""
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()


def find_imports(
    session: Session, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], FhirImportRow]:
    """The ledger rows of these (identity, part) pairs that exist, by pair."""
    wanted = {(identity_hash(identity), part): (identity, part) for identity, part in keys}
    if not wanted:
        return {}
    hashes = sorted({h for h, _ in wanted})
    rows = session.exec(select(FhirImportRow).where(col(FhirImportRow.identity_hash).in_(hashes)))
    return {
        wanted[(row.identity_hash, row.part)]: row
        for row in rows
        if (row.identity_hash, row.part) in wanted
    }


def count_imports(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(FhirImportRow)).one())
