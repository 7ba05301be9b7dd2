"""Writing an imported resource and its ledger row in one transaction.

The use cases each open their own transaction; here they run inside the importer's
(`App.within`). So the
entry, its audit event, the evaluation it triggers and the ``fhir_import`` row commit
together: a crash never leaves an entry without its ledger row (which a re-import would
duplicate), and two imports of one resource at once write it once (the ledger's unique key
refuses the second, which is then reported as already imported).
"""

from collections.abc import Callable, Sequence
from datetime import datetime

from persistence.fhir_tables import FhirImportRow, find_imports, identity_hash

from ..bootstrap import App
from ..usecases import Actor, Outcome
from ..usecases.work import find_patient
from .bundle import Entry

__all__ = ["Source", "imported", "write_with_ledger"]

Source = tuple[Entry, str, str]
"""An imported part: the entry, its identity, the part (``""``, ``start``, ``stop``)."""


def imported(app: App, sources: Sequence[Source]) -> dict[tuple[str, str], FhirImportRow]:
    """The ledger rows of these parts, for those imported before."""
    with app.transaction() as session:
        return find_imports(session, [(identity, part) for _, identity, part in sources])


def write_with_ledger(
    app: App,
    actor: Actor,
    patient: str,
    sources: Sequence[Source],
    row_kind: str,
    write: Callable[[App], Outcome],
) -> int:
    """Run ``write`` (a use case) and add the ledger rows of ``sources``, one commit; returns
    the id of the row written (the patient's for an enrolment)."""
    with app.transaction() as session:
        inside = app.within(session)
        outcome = write(inside)
        with inside.unit_of_work() as uow:
            patient_row = find_patient(uow, patient)
        row_id = patient_row.id if row_kind == "patient" else outcome.entry_id
        assert row_id is not None, "a FHIR import writes an entry"
        now: datetime = app.clock.now()
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
