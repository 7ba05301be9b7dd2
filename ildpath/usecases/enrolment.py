"""Enrol a patient, and amend the phenotype with audit (CLINICAL_SPEC §1)."""

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from pathway.catalogue import SEXES
from pathway.date_bounds import bounded_day
from pathway.errors import InvalidValue
from pathway.patient_identifier import PatientIdRule
from pathway.phenotype import phenotype_on
from pathway.record import PatientRecord, PhenotypeEntry
from pathway.validation import (
    check_birth_date,
    check_choice,
    check_phenotype,
    check_text,
)
from persistence.changes import Actor, Audit, AuditOnly, Item, NewEntry, NewPatient, PatientChanges

from ..bootstrap import App
from ..errors import DuplicatePatient
from .entries import Decision, EntryContext, record_entry
from .evaluation import apply_evaluation
from .outcome import Outcome
from .work import PatientWork

__all__ = [
    "PHENOTYPE_FIELDS",
    "AmendPhenotype",
    "EnrolPatient",
    "amend_phenotype",
    "check_enrolment",
    "enrol_patient",
    "enrolment_changes",
    "phenotype_columns",
]

PHENOTYPE_FIELDS = (
    "diagnosis",
    "anti_mda5",
    "anti_ars",
    "ild_course",
    "risk_factors",
    "weight_kg",
    "height_cm",
)
"""The phenotype fields of §1: recorded at enrolment, amendable, kept on the patient row as
they stand today (the rules read them from the record, as of each day)."""


@dataclass(frozen=True)
class EnrolPatient:
    """What enrolment records: identity (a pseudonymous id), phenotype, enrolment date."""

    id: str
    sex: str
    birth_date: date
    enrolled_on: date
    diagnosis: str
    anti_mda5: str
    anti_ars: str
    ild_course: str | None
    risk_factors: tuple[str, ...] = field(default=())
    weight_kg: float | None = None
    height_cm: float | None = None

    def phenotype(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in PHENOTYPE_FIELDS} | {
            "risk_factors": list(self.risk_factors)
        }


def check_enrolment(
    command: EnrolPatient, today: date, ids: PatientIdRule
) -> tuple[EnrolPatient, dict[str, object]]:
    """The enrolment with its id as stored (NFC) and its checked phenotype, or the first
    refusal: an id by the clinic's id rule (`pathway.patient_identifier`), dates within the
    accepted range, a birth date on or before enrolment and at most 120 years before it
    (§11), an enrolment not after today. Whether the id is enrolled already is the store's
    to say (`enrol_patient`)."""
    command = replace(command, id=ids.check(command.id))
    check_choice("sex", command.sex, SEXES)
    bounded_day("birth_date", command.birth_date)
    bounded_day("enrolled_on", command.enrolled_on)
    if command.birth_date > today:
        raise InvalidValue("birth_date", command.birth_date.isoformat(), "a date in the past")
    if command.enrolled_on > today:
        raise InvalidValue(
            "enrolled_on", command.enrolled_on.isoformat(), f"a date on or before today ({today})"
        )
    check_birth_date(command.birth_date, command.enrolled_on)
    phenotype = {name: check_phenotype(name, value) for name, value in command.phenotype().items()}
    return command, phenotype


def enrolment_changes(
    command: EnrolPatient,
    phenotype: dict[str, object],
    actor: Actor,
    today: date,
    pathway_version: str,
) -> PatientChanges:
    """The patient row, its phenotype entries and the enrolment's audit event (the patient is
    judged from the day before today on: the evaluation that follows judges today)."""
    on = command.enrolled_on
    columns: dict[str, Any] = {
        "external_id": command.id,
        "sex": command.sex,
        "birth_date": command.birth_date,
        "enrolled_on": on,
        **phenotype,
        "state": "diagnosis",
        "state_since": on,
        "pathway_version": pathway_version,
        "last_evaluated_on": today - timedelta(days=1),
    }
    items: list[Item] = [
        NewEntry("phenotype", on, {"field": name, "value": value, "reason": None}, actor, None)
        for name, value in phenotype.items()
    ]
    payload = {
        "id": command.id,
        "sex": command.sex,
        "birth_date": command.birth_date,
        "enrolled_on": on,
        **phenotype,
    }
    items.append(AuditOnly(Audit("patient_enrolled", payload, on, actor)))
    return PatientChanges(NewPatient(columns), items, today, pathway_version)


def enrol_patient(app: App, command: EnrolPatient, actor: Actor) -> Outcome:
    """Enrol; opens the enrolment tasks (PFT, vaccinations, and the transplant referral of an
    anti-MDA5 positive patient). An id enrolled already, in any case, is refused naming the
    id as enrolled (the database's unique folded id refuses it too, should two people enrol
    the same patient at once)."""
    today = app.clock.today()
    command, phenotype = check_enrolment(command, today, app.settings.patient_id_rule())
    changes = enrolment_changes(command, phenotype, actor, today, app.definition.version)
    with app.unit_of_work() as uow:
        enrolled = uow.patients.enrolled_as([command.id]).get(command.id)
        if enrolled is not None:
            raise DuplicatePatient(command.id, enrolled)
        [written] = uow.patients.write([changes], app.clock.now)
        work = PatientWork(app, uow, written.patient, actor)
        apply_evaluation(work)
        return work.outcome()


@dataclass(frozen=True)
class AmendPhenotype:
    """Phenotype fields amended from a clinical date, with the reason; rules that depend on
    them apply from then on (e.g. anti-MDA5 becoming positive opens the transplant referral
    task). The patient row keeps the phenotype as it stands today."""

    values: tuple[tuple[str, object], ...]
    on: date
    reason: str | None = None

    @classmethod
    def checked(
        cls, values: dict[str, object], on: date, reason: str | None = None
    ) -> "AmendPhenotype":
        if not values:
            raise InvalidValue("field", None, ", ".join(PHENOTYPE_FIELDS))
        checked = []
        for name, value in values.items():
            if name not in PHENOTYPE_FIELDS:
                raise InvalidValue("field", name, ", ".join(PHENOTYPE_FIELDS))
            checked.append((name, check_phenotype(name, value)))
        return cls(tuple(checked), on, None if reason is None else check_text("reason", reason))

    def decide(self, context: EntryContext) -> Decision:
        context.check_date("on", self.on)
        patient, actor = context.patient, context.actor
        entries = []
        record = context.record
        for n, (name, value) in enumerate(self.values):
            payload = {
                "field": name,
                "old": getattr(patient, name),
                "new": value,
                "reason": self.reason,
            }
            audit = Audit("phenotype_amended", payload, self.on, actor)
            values = {"field": name, "value": value, "reason": self.reason}
            entries.append(NewEntry("phenotype", self.on, values, actor, audit))
            amended = PhenotypeEntry(f"ph#amended{n}", name, value, self.on, context.today)
            record = record.appended("phenotype", amended)
        return Decision(tuple(entries), phenotype_columns(record, context.today))


def phenotype_columns(record: PatientRecord, today: date) -> dict[str, Any]:
    """The patient row's phenotype columns as they stand today on the corrected record: what
    an amendment and a correction of a phenotype entry both leave on the row."""
    current = phenotype_on(record.corrected(), today)
    return {
        "diagnosis": current.diagnosis,
        "anti_mda5": current.anti_mda5,
        "anti_ars": current.anti_ars,
        "ild_course": current.ild_course,
        "weight_kg": current.weight_kg,
        "height_cm": current.height_cm,
        "risk_factors": sorted(current.flags),
    }


def amend_phenotype(
    app: App,
    external_id: str,
    field_name: str,
    value: object,
    on: date,
    actor: Actor,
    reason: str | None = None,
    *,
    expected_version: int | None = None,
) -> Outcome:
    """Amend one phenotype field from its clinical date."""
    command = AmendPhenotype.checked({field_name: value}, on, reason)
    return record_entry(app, external_id, command, actor, expected_version=expected_version)
