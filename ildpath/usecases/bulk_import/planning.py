"""Deciding a whole history before any of it is written.

Each event is decided by the command every other way in uses (`events.event_command` and the
command's ``decide``), against the record as it grows: the same values, dates, stops of
active agents only, triggers allowed from the state reached and their guards. An entry not
written yet has a provisional id (``obs#3``: the third entry of the record), which is what a
later transition cites as evidence; the writer puts the real id in its place.
"""

from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

from pathway import PathwayDefinition, PatientRecord
from pathway.errors import ClinicalError, InvalidValue
from pathway.patient_identifier import PatientIdRule
from persistence.changes import Actor, Item, NewEntry, NewPatient, PatientChanges
from persistence.patients import NEW_PATIENT
from persistence.records import PART_PREFIX, assembled, entry_from

from ..enrolment import check_enrolment, enrolment_changes
from ..entries import Decision
from ..events import AcknowledgeAlert, event_command
from ..work import check_patient_date
from .reading import enrolment_of, event_of

__all__ = ["Planner"]


@dataclass
class _PlannedPatient:
    """The patient row as the history leaves it (what deciding an entry reads of it)."""

    external_id: str
    birth_date: date
    enrolled_on: date
    state: str
    state_since: date
    referral_origin: str | None
    closing_reason: str | None
    diagnosis: str
    anti_mda5: str
    anti_ars: str
    ild_course: str | None
    risk_factors: list[str]
    weight_kg: float | None
    height_cm: float | None


_PLANNED = tuple(f.name for f in fields(_PlannedPatient))


class _History:
    """One patient's history being decided: the `EntryContext` its commands are decided
    against, and the writer's items it has become so far. The record is made when a command
    reads it (a stop, a trigger), from the entries decided until then."""

    def __init__(self, changes: PatientChanges, actor: Actor, definition: PathwayDefinition):
        assert isinstance(changes.patient, NewPatient)
        self.columns = {**NEW_PATIENT, **changes.patient.columns}
        self.patient = _PlannedPatient(**{name: self.columns[name] for name in _PLANNED})
        self.items: list[Item] = list(changes.items)
        self.changes = changes
        self.actor, self.today, self.definition = actor, changes.today, definition
        self.parts: dict[str, list[Any]] = {part: [] for part in PART_PREFIX}
        self.entries = [item for item in self.items if type(item) is NewEntry]
        self.placed = 0
        """Entries in the record so far (each is cited by its place: ``obs#3``)."""
        self._record: PatientRecord | None = None

    @property
    def record(self) -> PatientRecord:
        if self._record is None:
            self._record = assembled(self.patient, self._placed())  # type: ignore[arg-type]
        return self._record

    def _placed(self) -> dict[str, list[Any]]:
        """The record's parts, with the entries decided since they were last made placed in
        them under their provisional ids (`PatientChanges`)."""
        today = self.today
        for entry in self.entries[self.placed :]:
            self.placed += 1
            placed = entry_from(entry.part, f"#{self.placed}", entry.on, today, entry.values)
            self.parts[entry.part].append(placed)
        return self.parts

    def check_date(self, field: str, on: date, *, prior: bool = False) -> date:
        years = self.definition.prior_history_years if prior else None
        return check_patient_date(self.patient, self.today, field, on, prior_history_years=years)

    def take(self, decision: Decision) -> None:
        if decision.entries:
            self.items.extend(decision.entries)
            self.entries.extend(decision.entries)
            self._record = None
        if decision.sets:
            for name, value in decision.sets.items():
                setattr(self.patient, name, value)
                self.columns[name] = value

    def planned(self) -> PatientChanges:
        return replace(self.changes, patient=NewPatient(self.columns), items=self.items)


class Planner:
    """Decides each line of the file into one patient's changes for the writer."""

    def __init__(
        self,
        actor: Actor,
        today: date,
        definition: PathwayDefinition,
        ids: PatientIdRule | None = None,
    ) -> None:
        self.actor, self.today, self.definition = actor, today, definition
        self.ids = ids or PatientIdRule()

    def plan(self, data: dict[str, Any]) -> tuple[PatientChanges, int]:
        """The patient's changes, and how many events the line held (its enrolment
        included)."""
        enrolment, phenotype = check_enrolment(enrolment_of(data), self.today, self.ids)
        changes = enrolment_changes(
            enrolment, phenotype, self.actor, self.today, self.definition.version
        )
        history = _History(changes, self.actor, self.definition)
        events = data.get("events") or []
        if not isinstance(events, list):
            raise InvalidValue("events", events, "a list of events")
        for index, event in enumerate(events):
            try:
                self._decide(history, event)
            except InvalidValue as error:
                raise InvalidValue(
                    f"events[{index}].{error.field}", error.value, error.allowed
                ) from None
            except ClinicalError as error:
                raise InvalidValue(f"events[{index}]", event, str(error)) from None
        return history.planned(), 1 + len(events)

    def _decide(self, history: _History, event: object) -> None:
        kind, body, on = event_of(event)
        if history.patient.state == "closed":
            raise InvalidValue("on", on.isoformat(), "no event after the patient was closed")
        command = event_command(kind, body, on)
        assert not isinstance(command, AcknowledgeAlert), "a history holds no acknowledgement"
        history.take(command.decide(history))
