"""Import a FHIR Bundle: validate it whole, then enter each resource through the use case a
person would use, so alerts and tasks come out exactly as if the course had been typed in.

The bundle's patients are enrolled first (bundle order); then each patient's events are
entered in clinical-date order, a day's PFT measures as one PFT (``plan``). Each entry is its
own transaction with its ledger row (``ledger``): a refused resource writes nothing, the
others go on, and the report (``report``) says what became of each. Importing the same
resources again writes nothing.
"""

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError

from pathway.errors import ClinicalError
from persistence.errors import ConcurrencyConflict

from ..bootstrap import App
from ..errors import DuplicatePatient
from ..usecases import Actor, Outcome, enrol_patient, record_event
from ..usecases.entries import THERAPY_FIELDS
from .bundle import Entry, bundle_entries, parse_bundle
from .events import Event, Reading, read_immunization, read_procedure, subject_of
from .ledger import Source, imported, write_with_ledger
from .medications import read_medication_request, read_medication_statement
from .observations import read_observation
from .patients import PATIENT_ID_SYSTEM, read_patient
from .plan import Write, merged, plan
from .report import ImportReport
from .values import Skip, reference_text

__all__ = ["READERS", "import_bundle"]

READERS: dict[str, Callable[[Any, Reading], list[Event]]] = {
    "Observation": read_observation,
    "MedicationStatement": read_medication_statement,
    "MedicationRequest": read_medication_request,
    "Procedure": read_procedure,
    "Immunization": read_immunization,
}
"""Resource type -> its reader. Patient is enrolled; Medication is read through the
statements and requests that reference it; every other type is reported, not imported."""

_ROW_KINDS = {
    "observation": "observation",
    "therapy": "therapy_event",
    "procedure": "procedure",
    "vaccination": "vaccination",
}
_ATTEMPTS = 3


def _record(app: App, patient: str, event: Event, actor: Actor) -> Outcome:
    """An imported event through the one dispatcher, as a person's entry would go."""
    values = event.values
    if event.action == "observation":
        return record_event(app, patient, event.kind, values, event.on, actor)
    if event.action == "therapy":
        body = {name: values.get(name) for name in THERAPY_FIELDS}
        return record_event(app, patient, event.kind, body, event.on, actor)
    return record_event(app, patient, event.action, {"kind": event.kind}, event.on, actor)


class _Importer:
    def __init__(self, app: App, actor: Actor, entries: list[Entry], report: ImportReport):
        self.app, self.actor, self.report = app, actor, report
        self.entries = entries
        medications = {
            k: e.resource for e in entries if e.type == "Medication" for k in e.reference_keys()
        }
        self.reading = Reading(
            app.settings.timezone, medications.get, app.settings.fhir_low_flow_max_l_per_min
        )
        self.patients: dict[str, str | Skip] = {}

    def settle(self, entry: Entry, status: str, reason: str = "", **more: Any) -> None:
        self.report.settle(entry.index, entry.label, status, reason, **more)

    # -- patients -----------------------------------------------------------------------

    def enrol_all(self, today: date) -> None:
        for entry in self.entries:
            if entry.type == "Patient":
                found = self.enrol(entry, today)
                for key in entry.reference_keys():
                    self.patients[key] = found

    def enrol(self, entry: Entry, today: date) -> str | Skip:
        try:
            command = read_patient(entry.resource, today)
            identity = self.identity(entry)
        except Skip as skip:
            self.settle(entry, skip.status, skip.reason)
            return Skip("not_imported", f"patient {entry.label}: {skip.reason}")
        source: Source = (entry, identity, "")
        if self.already(source, command.id):
            return command.id
        try:
            self.attempt(
                command.id, [source], "patient", lambda app: enrol_patient(app, command, self.actor)
            )
        except (ClinicalError, ConcurrencyConflict, IntegrityError) as error:
            if self.already(source, command.id):  # another import enrolled it meanwhile
                return command.id
            reason = str(error)
            if isinstance(error, DuplicatePatient):
                reason = (
                    f"patient {command.id!r} is already enrolled and was not imported from "
                    "this resource: its resources are not imported"
                )
            self.settle(entry, "invalid", reason, patient=command.id)
            return Skip("not_imported", f"patient {entry.label}: {reason}")
        self.settle(entry, "created", created=[f"patient {command.id}"], patient=command.id)
        return command.id

    # -- events -------------------------------------------------------------------------

    def identity(self, entry: Entry) -> str:
        identity = entry.identity()
        if identity is None:
            raise Skip(
                "invalid",
                "no identity: give an identifier (system and value), an id "
                "or a fullUrl, so that a re-import is recognised",
            )
        return identity

    def subject(self, resource: Any) -> str:
        """ildpath's id of the patient a resource is about: a Patient of this bundle, an
        identifier in PATIENT_ID_SYSTEM, or ``Patient/<id>`` of a patient already in
        ildpath."""
        reference = subject_of(resource)
        text = reference_text(reference)
        if reference is not None and reference.reference:
            key = reference.reference
            tail = "/".join(key.split("/")[-2:])
            found = self.patients.get(key, self.patients.get(tail))
            if isinstance(found, Skip):
                raise found
            if found is not None:
                return found
            if tail.startswith("Patient/"):
                return tail.removeprefix("Patient/")
        identifier = reference.identifier if reference is not None else None
        if identifier is not None and identifier.system == PATIENT_ID_SYSTEM and identifier.value:
            return str(identifier.value)
        raise Skip("invalid", f"subject {text}: not a Patient of this bundle or of ildpath")

    def read_events(self) -> list[Write]:
        writes: list[Write] = []
        for entry in self.entries:
            if entry.type == "Patient":
                continue
            try:
                writes += self.read(entry)
            except Skip as skip:
                self.settle(entry, skip.status, skip.reason, patient=self.about(entry))
        return writes

    def about(self, entry: Entry) -> str | None:
        """The patient a resource not imported is about, when that is known."""
        try:
            return self.subject(entry.resource) if entry.resource is not None else None
        except Skip:
            return None

    def read(self, entry: Entry) -> list[Write]:
        if entry.resource is None:
            raise Skip("invalid", "entry without a resource")
        reader = READERS.get(entry.type)
        if reader is None:
            why = (
                "read through the statements and requests that reference it"
                if entry.type == "Medication"
                else "not a resource type ildpath imports"
            )
            raise Skip("not_imported", f"{entry.type}: {why}")
        identity = self.identity(entry)
        events = reader(entry.resource, self.reading)
        patient = self.subject(entry.resource)
        return [Write(patient, e, [((entry, identity, e.part), e)]) for e in events]

    # -- writing ------------------------------------------------------------------------

    def already(self, source: Source, patient: str) -> bool:
        row = imported(self.app, [source]).get((source[1], source[2]))
        if row is None:
            return False
        entry = source[0]
        changed = (
            ""
            if row.digest == entry.digest()
            else ("its content changed since: not applied (amend the record in ildpath)")
        )
        when = f"on {row.imported_at.date().isoformat()}"
        self.settle(
            entry, "already_imported", " ".join(f"{when} {changed}".split()), patient=patient
        )
        return True

    def attempt(
        self, patient: str, sources: list[Source], kind: str, write: Callable[[App], Outcome]
    ) -> int:
        for attempt in range(_ATTEMPTS):
            try:
                return write_with_ledger(self.app, self.actor, patient, sources, kind, write)
            except ConcurrencyConflict:
                if attempt == _ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def refused(self, patient: str, sources: list[Source], error: Exception) -> None:
        """A write that failed: each part another import wrote meanwhile is already
        imported (its effect may be what made the engine refuse it: a stop already
        recorded); any other is invalid, with the engine's reason."""
        for source in sources:
            if not self.already(source, patient):
                reason = str(error.orig) if isinstance(error, IntegrityError) else str(error)
                self.settle(source[0], "invalid", reason, patient=patient)

    def apply(self, write: Write) -> None:
        fresh = [(s, e) for s, e in write.sources if not self.already(s, write.patient)]
        if not fresh:
            return
        event = merged(write.event, [e for _, e in fresh])
        sources = [s for s, _ in fresh]
        kind = _ROW_KINDS[event.action]
        try:
            row_id = self.attempt(
                write.patient,
                sources,
                kind,
                lambda app: _record(app, write.patient, event, self.actor),
            )
        except (ClinicalError, ConcurrencyConflict, IntegrityError) as error:
            self.refused(write.patient, sources, error)
            return
        for (entry, _, part), part_event in fresh:
            label = f"{kind} #{row_id}" + (f" ({part})" if part else "")
            self.settle(entry, "created", part_event.note, created=[label], patient=write.patient)


def import_bundle(app: App, data: bytes | str | Mapping[str, Any], actor: Actor) -> ImportReport:
    """Import a transaction or collection Bundle (FHIR R4, validated as R4B); refuses the
    whole bundle (``InvalidValue`` naming the path) when it is not valid FHIR, else reports
    each resource."""
    bundle, loaded = parse_bundle(data)
    report = ImportReport(str(bundle.type))
    importer = _Importer(app, actor, bundle_entries(bundle, loaded), report)
    importer.enrol_all(app.clock.today())
    for write in plan(importer.read_events()):
        importer.apply(write)
    return report
