"""Writing an imported resource and its ledger row in one transaction.

The use cases each open their own transaction; here they run inside the importer's
(`App.within`). So the
entry, its audit event, the evaluation it triggers and the ``fhir_import`` row commit
together: a crash never leaves an entry without its ledger row (which a re-import would
duplicate), and two imports of one resource at once write it once (the ledger's unique key
refuses the second, which is then reported as already imported). An enrolment also keeps
the identifiers the sending system gives the patient (``patient_identifier``).
"""

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlmodel import col, select

from persistence.fhir_tables import (
    FhirImportRow,
    PatientIdentifierRow,
    find_imports,
    identity_hash,
)
from persistence.tables import PatientRow

from ..bootstrap import App
from ..usecases import Actor, Outcome
from ..usecases.work import find_patient
from .bundle import Entry

__all__ = [
    "Identifier",
    "Source",
    "imported",
    "patient_by_identifier",
    "replaced",
    "write_with_ledger",
]

Source = tuple[Entry, str, str]
"""An imported part: the entry, its keyed identity (``keyed_identity``), the part (``""``,
``start``, ``stop``)."""

Identifier = tuple[str, str, str | None]
"""A patient identifier of the sending system: (system, value, type code such as ``MR``)."""


def imported(app: App, sources: Sequence[Source]) -> dict[tuple[str, str], FhirImportRow]:
    """The ledger rows of these parts, for those imported before."""
    with app.transaction() as session:
        return find_imports(session, [(identity, part) for _, identity, part in sources])


def patient_by_identifier(app: App, system: str, value: str) -> str | None:
    """ildpath's id of the patient the sending system knows by this identifier."""
    with app.transaction() as session:
        found = session.exec(
            select(PatientRow.external_id)
            .join(PatientIdentifierRow, col(PatientIdentifierRow.patient_id) == PatientRow.id)
            .where(PatientIdentifierRow.system == system, PatientIdentifierRow.value == value)
        ).first()
    return None if found is None else str(found)


def _keep_identifiers(
    app: App, patient_pk: int, identifiers: Sequence[Identifier], source: str, now: datetime
) -> None:
    with app.transaction() as session:
        for system, value, type_code in identifiers:
            held = session.exec(
                select(PatientIdentifierRow).where(
                    PatientIdentifierRow.system == system, PatientIdentifierRow.value == value
                )
            ).first()
            if held is None:
                session.add(
                    PatientIdentifierRow(
                        patient_id=patient_pk,
                        system=system,
                        value=value,
                        type_code=type_code,
                        source=source,
                        recorded_at=now,
                    )
                )


def write_with_ledger(
    app: App,
    actor: Actor,
    patient: str,
    sources: Sequence[Source],
    row_kind: str,
    write: Callable[[App], Outcome],
    *,
    identifiers: Sequence[Identifier] = (),
    source: str = "",
) -> int:
    """Run ``write`` (a use case) and add the ledger rows of ``sources`` (and the patient's
    identifiers), one commit; returns the id of the row written (the patient's for an
    enrolment)."""
    with app.transaction() as session:
        inside = app.within(session)
        outcome = write(inside)
        with inside.unit_of_work() as uow:
            patient_row = find_patient(uow, patient)
        assert patient_row.id is not None
        row_id = patient_row.id if row_kind == "patient" else outcome.entry_id
        assert row_id is not None, "a FHIR import writes an entry"
        now: datetime = app.clock.now()
        _keep_identifiers(inside, patient_row.id, identifiers, source, now)
        for entry, identity, part in sources:
            session.add(
                FhirImportRow(
                    identity_hash=identity_hash(identity),
                    part=part,
                    identity=identity,
                    resource_type=entry.type,
                    patient_id=patient_row.id,
                    row_kind=row_kind,
                    row_id=row_id,
                    digest=entry.digest(),
                    actor=actor.name,
                    imported_at=now,
                )
            )
        session.flush()
    return row_id


def replaced(
    app: App,
    actor: Actor,
    patient: str,
    source: Source,
    row: FhirImportRow,
    write: Callable[[App], Outcome],
) -> int:
    """Run ``write`` (a correction of ``row``'s entry) and point the ledger at the entry that
    replaces it: this resource's row takes the new content's digest, and every other part
    imported into the same entry (the other measures of a day's PFT) follows it."""
    entry = source[0]
    with app.transaction() as session:
        outcome = write(app.within(session))
        new_id = outcome.entry_id
        assert new_id is not None, "a correction writes the replacing entry"
        same_entry = session.exec(
            select(FhirImportRow).where(
                FhirImportRow.patient_id == row.patient_id,
                FhirImportRow.row_kind == row.row_kind,
                FhirImportRow.row_id == row.row_id,
            )
        )
        for other in same_entry:
            other.row_id = new_id
            if other.id == row.id:
                other.digest = entry.digest()
                other.actor = actor.name
                other.imported_at = app.clock.now()
            session.add(other)
        session.flush()
    return new_id
