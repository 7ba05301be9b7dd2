"""The import of one bundle's entries (``importing`` decides the transaction around it):
patients enrolled with what their Conditions and Observations tell, each other entry read into
the engine's events, and each event entered through the use case a person would use, with its
ledger row (``ledger``). What becomes of each entry goes to the report."""

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError

from pathway.errors import ClinicalError
from pathway.validation import years_before
from persistence.errors import ConcurrencyConflict
from persistence.fhir_tables import FhirImportRow, keyed_identity

from ..bootstrap import App
from ..errors import DuplicatePatient
from ..usecases import Actor, Outcome, enrol_patient, record_event
from ..usecases.corrections import correct_entry, enter_in_error
from ..usecases.enrolment import amend_phenotype
from ..usecases.entries import THERAPY_FIELDS, observation_fields
from ..usecases.work import find_patient
from .bundle import Entry, ParsedBundle
from .events import Event, Reading, read_immunization, read_procedure
from .later_results import AMENDABLE, phenotype_changes
from .ledger import Source, imported, patient_by_identifier, replaced, write_with_ledger
from .medications import read_medication_request, read_medication_statement
from .observations import dated, read_observation, retracted_on
from .patients import PATIENT_ID_SYSTEM, read_patient
from .phenotype import read_phenotype
from .phenotype_codes import load_local_codes
from .plan import Write, merged, plan
from .report import ImportReport
from .subjects import reference_target, subject
from .values import Skip

__all__ = ["READERS", "Importer"]

READERS: dict[str, Callable[[Any, Reading], list[Event]]] = {
    "Observation": read_observation,
    "MedicationStatement": read_medication_statement,
    "MedicationRequest": read_medication_request,
    "Procedure": read_procedure,
    "Immunization": read_immunization,
}
"""Resource type -> its reader. Patient is enrolled (with the Conditions and Observations
its phenotype is read from); Medication is read through the statements and requests that
reference it; every other type is reported, not imported."""

PHENOTYPE_SOURCES = ("Condition", "Observation")
"""The resource types a patient's phenotype is read from at enrolment (``patients``)."""

_ROW_KINDS = {
    "observation": "observation",
    "therapy": "therapy_event",
    "procedure": "procedure",
    "vaccination": "vaccination",
}
_RETRACTABLE = {"observation": "obs", "phenotype": "ph"}
"""Ledger row kinds whose entry a sender's ``entered-in-error`` takes back, with the record
id prefix of that entry. A result read into the enrolment itself (row kind ``patient``) is
not: the phenotype at enrolment is corrected by a person."""
_CORRECTING = ("corrected", "amended")
"""Observation statuses saying a result replaces one released before (FHIR R4)."""
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


def _correction(event: Event) -> dict[str, object]:
    """The values a corrected result replaces: those it gives, and for a CMV load every
    field of the load (a ``<`` or the other unit of the old result must not survive it)."""
    if event.kind == "cmv":
        return {name: event.values.get(name) for name in observation_fields("cmv")}
    return dict(event.values)


class Importer:
    """One bundle's import into ``app`` (the caller's transaction for a ``transaction``)."""

    def __init__(
        self, app: App, actor: Actor, parsed: ParsedBundle, source: str, report: ImportReport
    ) -> None:
        self.app, self.actor, self.report, self.source = app, actor, report, source
        self.entries = parsed.entries
        medications = {
            k: e.resource
            for e in self.entries
            if e.type == "Medication" and e.resource is not None
            for k in e.reference_keys()
        }
        local = app.settings.fhir_local_codes
        self.reading = Reading(
            app.settings.timezone,
            medications.get,
            app.settings.fhir_low_flow_max_l_per_min,
            local_codes=load_local_codes(local) if local else {},
            patient_ids=app.settings.patient_id_rule(),
        )
        self.patients: dict[str, str | Skip] = {}
        self.read_at_enrolment: set[int] = set()
        self.enrolled_on: dict[str, date] = {}
        self.atomic = False

    def run(self, *, atomic: bool) -> None:
        """Enrol, read, then write in clinical order; ``atomic`` stops at the first entry
        that fails (the caller refuses the transaction)."""
        self.atomic = atomic
        self.enrol_all(self.app.clock.today())
        writes = self.read_events()
        if atomic and self.report.failing():
            return
        for write in plan(writes):
            self.apply(write)
            if atomic and self.report.failing():
                return

    def settle(self, entry: Entry, status: str, reason: str = "", **more: Any) -> None:
        if self.atomic and status == "unknown_code":  # a transaction reads what it knows
            status, reason = "not_imported", f"unknown code: {reason}"
        self.report.settle(entry.index, entry.label, status, reason, **more)

    def keyed(self, entry: Entry, patient: str) -> str:
        identity = entry.identity()
        if identity is None:
            raise Skip(
                "invalid",
                "no identity: give an identifier (system and value), an id "
                "or a fullUrl, so that a re-import is recognised",
            )
        return keyed_identity(self.source, patient, identity)

    # -- patients -----------------------------------------------------------------------

    def enrol_all(self, today: date) -> None:
        for entry in self.entries:
            if entry.type == "Patient" and entry.resource is not None:
                found = self.enrol(entry, today)
                for key in entry.reference_keys():
                    self.patients[key] = found

    def about(self, entry: Entry, patient: Entry) -> bool:
        """Whether ``entry`` is about the bundle's ``patient`` entry."""
        reference = getattr(entry.resource, "subject", None)
        keys = dict.fromkeys(patient.reference_keys(), True)
        return bool(reference_target(reference, keys))

    def related(self, patient: Entry, today: date) -> list[Entry]:
        """The Conditions and Observations about ``patient``, but those dated before the
        prior-history window of an enrolment on ``today`` (§11), which are not read."""
        first = self.window_from(today)
        return [
            e
            for e in self.entries
            if e.type in PHENOTYPE_SOURCES
            and e.resource is not None
            and self.about(e, patient)
            and (e.type != "Observation" or (dated(e.resource, self.reading) or first) >= first)
        ]

    def known_patient(self, identifiers: list[tuple[str, str, str | None]]) -> str | None:
        """The ildpath patient one of these identifiers (an MRN …) already names."""
        for system, value, _ in identifiers:
            found = patient_by_identifier(self.app, system, value)
            if found is not None:
                return found
        return None

    def enrol(self, entry: Entry, today: date) -> str | Skip:
        related = self.related(entry, today)
        try:
            reading = read_patient(
                entry.resource, [e.resource for e in related], self.reading, today
            )
            command = reading.enrol
            identity = self.keyed(entry, command.id)
        except Skip as skip:
            self.settle(entry, skip.status, skip.reason)
            return Skip("not_imported", f"patient {entry.label}: {skip.reason}")
        used = [e for e in related if any(e.resource is r for r in reading.used)]
        self.read_at_enrolment |= {e.index for e in used}
        sources: list[Source] = [(entry, identity, "")]
        sources += [(e, self.keyed(e, command.id), "") for e in used if e.identity()]
        identifiers = [i for i in reading.identifiers if i[0] != PATIENT_ID_SYSTEM]
        known = self.known_patient(identifiers)
        if self.already(sources[0], command.id) or known is not None:
            patient = known or command.id
            if entry.index not in self.report.outcomes:  # known by identifier only
                self.settle(
                    entry,
                    "already_imported",
                    f"the patient ildpath knows as {known} by the sending system's identifier",
                    patient=known,
                )
            for e in used:
                source = (e, self.keyed(e, patient), "")
                if not self.already(source, patient):
                    self.later_result(source, patient)
            return patient
        try:
            self.attempt(
                command.id,
                sources,
                "patient",
                lambda app: enrol_patient(app, command, self.actor),
                identifiers=identifiers,
            )
        except (ClinicalError, ConcurrencyConflict, IntegrityError) as error:
            if self.atomic and not isinstance(error, ClinicalError):
                raise
            if self.already(sources[0], command.id):  # another import enrolled it meanwhile
                return command.id
            reason = str(error)
            if isinstance(error, DuplicatePatient):
                enrolled = error.enrolled_as
                written = "" if enrolled == command.id else f" as {enrolled!r}"
                reason = (
                    f"patient {command.id!r} is already enrolled{written} and was not imported "
                    "from this resource (another sending system, or typed in): its resources "
                    "are not imported; give the Patient ildpath's patient-id identifier (the "
                    "id exactly as enrolled) to link it"
                )
            self.settle(entry, "invalid", reason, patient=command.id)
            for e in used:
                self.settle(e, "not_imported", "its patient was not imported", patient=command.id)
            return Skip("not_imported", f"patient {entry.label}: {reason}")
        completion = f"; needs completion: {', '.join(reading.missing)}" if reading.missing else ""
        self.settle(
            entry,
            "created",
            "; ".join(reading.notes) + completion,
            created=[f"patient {command.id}"],
            patient=command.id,
        )
        for e in used:
            self.settle(e, "created", "read into the phenotype at enrolment", patient=command.id)
        return command.id

    def later_result(self, source: Source, patient: str) -> None:
        """A phenotype result about a patient enrolled before: an amendment from its clinical
        day (``later_results``), or reported when it changes nothing it may change."""
        entry = source[0]
        if entry.type != "Observation":
            self.settle(
                entry,
                "not_imported",
                "a Condition is read at enrolment only: the patient is enrolled; amend the "
                "phenotype in ildpath if it changes it",
                patient=patient,
            )
            return
        with self.app.unit_of_work() as uow:
            row = find_patient(uow, patient)
        current = {name: getattr(row, name) for name in AMENDABLE}
        changes = phenotype_changes(entry.resource, self.reading, current)
        if not changes:
            self.settle(
                entry, "not_imported", "agrees with the record: nothing to amend", patient=patient
            )
            return
        on = max(dated(entry.resource, self.reading) or row.enrolled_on, row.enrolled_on)
        reason = f"result {entry.label} from the sending system"

        def amend(app: App) -> Outcome:
            outcomes = [
                amend_phenotype(app, patient, name, value, on, self.actor, reason)
                for name, value in changes.items()
            ]
            return outcomes[-1]

        try:
            self.attempt(patient, [source], "phenotype", amend)
        except (ClinicalError, ConcurrencyConflict, IntegrityError) as error:
            if self.atomic and not isinstance(error, ClinicalError):
                raise
            self.refused(patient, [source], error)
            return
        said = ", ".join(f"{name} {value}" for name, value in changes.items())
        self.settle(
            entry,
            "created",
            f"phenotype amended from {on.isoformat()}: {said}",
            created=[f"phenotype ({said})"],
            patient=patient,
        )

    # -- events -------------------------------------------------------------------------

    def subject(self, resource: Any) -> str:
        return subject(resource, self.patients, lambda s, v: patient_by_identifier(self.app, s, v))

    def read_events(self) -> list[Write]:
        writes: list[Write] = []
        for entry in self.entries:
            if entry.type == "Patient" and entry.resource is not None:
                continue
            if entry.index in self.read_at_enrolment:
                continue
            try:
                writes += self.read(entry)
            except Skip as skip:
                self.settle(entry, skip.status, skip.reason, patient=self.patient_of(entry))
        return writes

    def patient_of(self, entry: Entry) -> str | None:
        """The patient an entry not imported is about, when that is known."""
        try:
            return self.subject(entry.resource) if entry.resource is not None else None
        except Skip:
            return None

    def read(self, entry: Entry) -> list[Write]:
        if entry.problem:
            raise Skip(entry.problem_status, entry.problem)
        if entry.search_mode == "outcome":
            raise Skip("not_imported", "the search's own outcome (search.mode outcome)")
        reader = READERS.get(entry.type)
        if reader is None:
            why = {
                "Medication": "read through the statements and requests that reference it",
                "Condition": "read for the diagnosis and ILD of its patient at enrolment only",
                "Patient": "a Patient without a resource",
            }.get(entry.type, "not a resource type ildpath imports")
            raise Skip("not_imported", f"{entry.type}: {why}")
        patient = self.subject(entry.resource)
        identity = self.keyed(entry, patient)
        on = dated(entry.resource, self.reading)
        self.check_window(patient, [] if on is None else [on])
        if entry.type == "Observation":
            event = None
            if entry.resource.status == "entered-in-error":
                event = Event(retracted_on(entry.resource, self.reading), "retract", "")
            elif read_phenotype(None, [entry.resource], self.reading).used:
                event = Event(on or date.min, "phenotype", "amend")  # an antibody, a weight …
            if event is not None:
                return [Write(patient, event, [((entry, identity, ""), event)])]
        events = reader(entry.resource, self.reading)
        self.check_window(patient, [e.on for e in events])
        return [Write(patient, e, [((entry, identity, e.part), e)]) for e in events]

    def window_from(self, enrolled_on: date) -> date:
        """The first day of the prior-history window (§11), as the engine counts it."""
        return years_before(enrolled_on, self.app.definition.prior_history_years)

    def check_window(self, patient: str, days: list[date]) -> None:
        """Entries dated before the prior-history window (§11) are not read: reported, never
        failing a transaction."""
        enrolled = self.enrolment_of(patient)
        if enrolled is None:
            return
        for day in days:
            if day < self.window_from(enrolled):
                raise Skip(
                    "not_imported",
                    f"dated {day.isoformat()}, before the prior-history window "
                    f"({self.app.definition.prior_history_years} years before enrolment on "
                    f"{enrolled.isoformat()})",
                )

    def enrolment_of(self, patient: str) -> date | None:
        """The patient's enrolment date (None when not enrolled), read once per import."""
        if patient not in self.enrolled_on:
            try:
                with self.app.unit_of_work() as uow:
                    row = find_patient(uow, patient)
            except ClinicalError:
                return None
            self.enrolled_on[patient] = row.enrolled_on
        return self.enrolled_on[patient]

    # -- writing ------------------------------------------------------------------------

    def ledger_row(self, source: Source) -> FhirImportRow | None:
        return imported(self.app, [source]).get((source[1], source[2]))

    def already(self, source: Source, patient: str) -> bool:
        row = self.ledger_row(source)
        if row is None:
            return False
        self.settle_already(source[0], row, patient)
        return True

    def settle_already(self, entry: Entry, row: FhirImportRow, patient: str) -> None:
        changed = (
            ""
            if row.digest == entry.digest()
            else (
                "its content changed since: not applied (a result is replaced when the sender "
                "marks it corrected or amended; else amend the record in ildpath)"
            )
        )
        when = f"on {row.imported_at.date().isoformat()}"
        self.settle(
            entry, "already_imported", " ".join(f"{when} {changed}".split()), patient=patient
        )

    def attempt(
        self,
        patient: str,
        sources: list[Source],
        kind: str,
        write: Callable[[App], Outcome],
        **more: Any,
    ) -> int:
        attempts = 1 if self.atomic else _ATTEMPTS
        for attempt in range(attempts):
            try:
                return write_with_ledger(
                    self.app, self.actor, patient, sources, kind, write, source=self.source, **more
                )
            except ConcurrencyConflict:
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    def refused(self, patient: str, sources: list[Source], error: Exception) -> None:
        """A write that failed: each part another import wrote meanwhile is already
        imported (its effect may be what made the engine refuse it: a stop already
        recorded); any other is invalid, with the engine's reason."""
        for source in sources:
            if self.atomic or not self.already(source, patient):
                reason = str(error.orig) if isinstance(error, IntegrityError) else str(error)
                self.settle(source[0], "invalid", reason, patient=patient)

    def revise(self, write: Write, source: Source, event: Event, row: FhirImportRow) -> None:
        """A resource imported before, with other content: a corrected or amended result
        replaces its entry, one entered in error takes it back (§11); anything else is
        reported changed and not applied."""
        entry = source[0]
        status = str(getattr(entry.resource, "status", ""))
        retract = event.action == "retract" and row.row_kind in _RETRACTABLE
        if row.digest == entry.digest() or not (
            retract or (row.row_kind == "observation" and status in _CORRECTING)
        ):
            self.settle_already(entry, row, write.patient)
            return
        entry_id = f"{_RETRACTABLE[row.row_kind]}{row.row_id}"
        reason = f"{status} by the sending system ({entry.label})"
        if event.action == "retract":

            def fix(app: App) -> Outcome:
                return enter_in_error(app, write.patient, entry_id, reason, self.actor)

            said = f"{entry_id} entered in error"
        else:

            def fix(app: App) -> Outcome:
                changes = _correction(event)
                return correct_entry(
                    app, write.patient, entry_id, changes, reason, self.actor, on=event.on
                )

            said = f"{entry_id} corrected"
        try:
            new_id = replaced(self.app, self.actor, write.patient, source, row, fix)
        except (ClinicalError, ConcurrencyConflict, IntegrityError) as error:
            if self.atomic and not isinstance(error, ClinicalError):
                raise
            self.settle(entry, "invalid", str(error), patient=write.patient)
            return
        label = said if event.action == "retract" else f"{said}: now obs{new_id}"
        self.settle(entry, "corrected", label, patient=write.patient)

    def apply(self, write: Write) -> None:
        fresh: list[tuple[Source, Event]] = []
        for source, event in write.sources:
            row = self.ledger_row(source)
            if row is not None:
                self.revise(write, source, event, row)
            elif event.action == "phenotype":
                self.later_result(source, write.patient)
            elif event.action == "retract":
                self.settle(
                    source[0],
                    "not_imported",
                    "entered in error, and never imported: nothing to take back",
                    patient=write.patient,
                )
            else:
                fresh.append((source, event))
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
            if self.atomic and not isinstance(error, ClinicalError):
                raise
            self.refused(write.patient, sources, error)
            return
        for (entry, _, part), part_event in fresh:
            label = f"{kind} #{row_id}" + (f" ({part})" if part else "")
            self.settle(entry, "created", part_event.note, created=[label], patient=write.patient)
