"""A use case's hold on one patient inside one transaction: load, write, audit."""

from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel

from pathway import PatientRecord
from pathway.validation import check_clinical_date
from persistence.audit import append_event
from persistence.errors import StaleWrite
from persistence.patients import Patient, read_patient, write_patient
from persistence.records import insert_entry, load_record, with_entry

from ..bootstrap import App
from ..errors import PatientClosed, PatientNotFound

__all__ = ["ENGINE", "Actor", "PatientWork", "check_version", "find_patient"]

Row = TypeVar("Row", bound=SQLModel)


@dataclass(frozen=True)
class Actor:
    """Who did it, in which role (recorded on every audit event and transition)."""

    name: str
    role: str


ENGINE = Actor("ildpath-engine", "system")
"""The actor of what the engine itself writes (alerts raised, tasks opened and closed)."""


def find_patient(session: Session, external_id: str) -> Patient:
    """The patient's row as plain values (`persistence.patients`), or PatientNotFound."""
    patient = read_patient(session, external_id=external_id)
    if patient is None:
        raise PatientNotFound(external_id)
    return patient


def check_version(patient: Patient, expected: int | None) -> None:
    """A write based on an older read is refused; the version check of the patient's write
    (`PatientWork.write_patient`) then guards the race between this check and the write."""
    if expected is not None and patient.version != expected:
        raise StaleWrite(expected, patient.version)


class PatientWork:
    """One patient within one unit of work, used as a context manager: the rows of the record
    and the audit events are written as the use case goes, the patient row's changes (state,
    phenotype, audit head) when the block ends normally, with the version check that turns a
    concurrent writer into `ConcurrencyConflict`. Written at the block's end rather than at the
    commit, so several use cases inside one transaction (`App.within`) each read what the one
    before wrote."""

    def __init__(self, app: App, session: Session, patient: Patient, actor: Actor) -> None:
        self.app = app
        self.session = session
        self.patient = patient
        self.actor = actor
        self.today: date = app.clock.today()
        self._record: PatientRecord | None = None

    def __enter__(self) -> "PatientWork":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is None:
            self.write_patient()

    def write_patient(self) -> None:
        """Write the patient row's pending changes (nothing when there are none)."""
        write_patient(self.session, self.patient)

    @classmethod
    def of(cls, app: App, session: Session, external_id: str, actor: Actor) -> "PatientWork":
        """The patient, whatever its state (the engine's own work: the daily run)."""
        return cls(app, session, find_patient(session, external_id), actor)

    @classmethod
    def open(
        cls,
        app: App,
        session: Session,
        external_id: str,
        actor: Actor,
        expected_version: int | None = None,
    ) -> "PatientWork":
        """The patient, refusing events for a closed one (§11), and refusing a writer who
        read an older version (``expected_version``: the API's If-Match)."""
        patient = find_patient(session, external_id)
        check_version(patient, expected_version)
        if patient.state == "closed":
            raise PatientClosed(external_id)
        return cls(app, session, patient, actor)

    @property
    def record(self) -> PatientRecord:
        if self._record is None:
            self._record = load_record(self.session, self.patient)
        return self._record

    def now(self) -> datetime:
        return self.app.clock.now()

    def check_date(self, field: str, on: date, *, baseline: bool = False) -> date:
        return check_clinical_date(
            field,
            on,
            recorded_on=self.today,
            birth_date=self.patient.birth_date,
            enrolled_on=self.patient.enrolled_on,
            baseline_allowed=baseline,
        )

    def add(self, row: Row) -> Row:
        """Write a row of the record (its id set) and make the record in hand include it.

        The patient's pending changes are written first, as the ORM's flush of each row wrote
        them, so the patient's version (the API's ETag) moves exactly as it always has."""
        self.write_patient()
        insert_entry(self.session, row)
        if self._record is not None:
            self._record = with_entry(self._record, row)
        return row

    def audit(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        clinical_on: date | None = None,
        actor: Actor | None = None,
    ) -> None:
        who = actor or self.actor
        append_event(
            self.session,
            self.patient,
            kind=kind,
            actor=who.name,
            role=who.role,
            recorded_at=self.now(),
            pathway_version=self.app.definition.version,
            payload=payload,
            clinical_on=clinical_on,
        )

    def entry_columns(self, on: date) -> dict[str, Any]:
        """Columns every record entry shares (patient, clinical and recorded day, actor)."""
        return {
            "patient_id": self.patient.id,
            "clinical_on": on,
            "recorded_on": self.today,
            "recorded_at": self.now(),
            "actor": self.actor.name,
        }
