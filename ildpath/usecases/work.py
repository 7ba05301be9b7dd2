"""A use case's hold on one patient inside one unit of work: what it reads, what it writes
through the one writer, and the outcome it returns."""

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from pathway import PathwayDefinition, PatientRecord
from pathway.validation import check_clinical_date
from persistence.changes import Actor, AlertFateChange, Item, PatientChanges, Written
from persistence.errors import StaleWrite
from persistence.patients import Patient
from persistence.ports import UnitOfWork
from persistence.records import PatientDates, entry_of
from persistence.tables import AlertRow

from ..bootstrap import App
from ..errors import PatientClosed, PatientNotFound
from .outcome import AlertMoved, Outcome, TaskMoved

__all__ = ["Actor", "PatientWork", "check_patient_date", "find_patient"]


def check_patient_date(
    patient: PatientDates,
    today: date,
    field: str,
    on: date,
    *,
    prior_history_years: int | None = None,
) -> date:
    """A clinical date as §11 allows it for this patient, recorded today (not before birth,
    not in the future, not before enrolment but for prior history, when its years are given)."""
    return check_clinical_date(
        field,
        on,
        recorded_on=today,
        birth_date=patient.birth_date,
        enrolled_on=patient.enrolled_on,
        prior_history_years=prior_history_years,
    )


def find_patient(uow: UnitOfWork, external_id: str) -> Patient:
    """The patient's row, or PatientNotFound."""
    patient = uow.patients.find(external_id)
    if patient is None:
        raise PatientNotFound(external_id)
    return patient


class PatientWork:
    """One patient within one unit of work. Each `write` goes to the one writer and grows
    the record in hand with what was written, so the evaluation that follows an entry sees
    it without reading the record again; what was written is gathered for the `outcome`."""

    def __init__(self, app: App, uow: UnitOfWork, patient: Patient, actor: Actor) -> None:
        self.app = app
        self.uow = uow
        self.patient = patient
        self.actor = actor
        self.today: date = app.clock.today()
        self._record: PatientRecord | None = None
        self.entry_id: int | None = None
        self.entry_ids: list[int] = []
        self._alerts: list[AlertRow] = []
        self._opened: list[TaskMoved] = []
        self._closed: list[TaskMoved] = []
        self._withdrawn: list[AlertMoved] = []
        self._cleared: list[AlertMoved] = []
        self.written: list[object] = []
        """The record entries written in this unit of work: what may withdraw an alert raised
        earlier the same day (§7a)."""

    @property
    def definition(self) -> PathwayDefinition:
        return self.app.definition

    @classmethod
    def open(
        cls,
        app: App,
        uow: UnitOfWork,
        external_id: str,
        actor: Actor,
        expected_version: int | None = None,
        *,
        closed_refused: bool = True,
    ) -> "PatientWork":
        """The patient, refusing a writer who read an older version (``expected_version``:
        the API's If-Match) and, unless told otherwise, events for a closed patient (§11)."""
        patient = find_patient(uow, external_id)
        if expected_version is not None and patient.version != expected_version:
            raise StaleWrite(expected_version, patient.version)
        if closed_refused and patient.state == "closed":
            raise PatientClosed(external_id)
        return cls(app, uow, patient, actor)

    @property
    def record(self) -> PatientRecord:
        if self._record is None:
            self._record = self.uow.patients.records([self.patient])[self.patient.id]
        return self._record

    def check_date(self, field: str, on: date, *, prior: bool = False) -> date:
        years = self.definition.prior_history_years if prior else None
        return check_patient_date(self.patient, self.today, field, on, prior_history_years=years)

    def write(self, items: Sequence[Item], sets: Mapping[str, Any] | None = None) -> Written:
        """Write ``items`` (and the patient's columns ``sets``) through the one writer."""
        changes = PatientChanges(
            self.patient, items, self.today, self.app.definition.version, sets or {}
        )
        [written] = self.uow.patients.write([changes], self.app.clock.now)
        self.patient = written.patient
        self._took_in(written)
        return written

    def _took_in(self, written: Written) -> None:
        record = self._record
        named = False
        for entry, row in written.entries():
            # a correction's retraction is written after the entry replacing it: the
            # outcome names the replacing entry
            if entry.audit is not None and not (named and entry.part == "retractions"):
                self.entry_id = row["id"]
                self.entry_ids.append(row["id"])
                named = True
            value = entry_of(entry.part, row)
            self.written.append(value)
            if record is not None:
                record = record.appended(entry.part, value)
        for row in written.alerts():
            self._alerts.append(AlertRow(**row))
            if record is not None:
                record = record.appended("alerts", entry_of("alerts", row))
        self._record = record
        self._took_in_fates(written)
        for change, row in written.tasks():
            stored = change.stored
            if stored is None:
                self._opened.append(TaskMoved(row["id"], row["kind"], row["due_on"], row["status"]))
            elif row.get("status") in ("done", "cancelled", "declined"):
                self._closed.append(
                    TaskMoved(stored.id or 0, stored.kind, stored.due_on, row["status"])
                )

    def _took_in_fates(self, written: Written) -> None:
        """The alerts this write withdrew or cleared (§7a), for the edges to say so."""
        for item in written.items:
            if isinstance(item, AlertFateChange):
                code = str(item.audit.payload.get("code", ""))
                if item.fields.get("status") == "withdrawn":
                    moved = AlertMoved(item.alert_id, code, item.fields.get("withdrawn_by"))
                    self._withdrawn.append(moved)
                else:
                    on, by = item.fields.get("cleared_on"), item.fields.get("cleared_by")
                    self._cleared.append(AlertMoved(item.alert_id, code, by, on))

    def outcome(self) -> Outcome:
        return Outcome(
            patient_id=self.patient.external_id,
            version=self.patient.version,
            state=self.patient.state,
            entry_id=self.entry_id,
            alerts_raised=tuple(self._alerts),
            tasks_opened=tuple(self._opened),
            tasks_closed=tuple(self._closed),
            alerts_withdrawn=tuple(self._withdrawn),
            alerts_cleared=tuple(self._cleared),
            entry_ids=tuple(self.entry_ids),
        )
