"""Enrol a patient, and amend the phenotype with audit (CLINICAL_SPEC §1)."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import select

from pathway.catalogue import SEXES
from pathway.errors import InvalidValue
from pathway.phenotype import phenotype_on
from pathway.validation import check_choice, check_phenotype
from persistence.patients import held
from persistence.tables import PatientRow, PhenotypeEntryRow

from ..bootstrap import App
from ..errors import DuplicatePatient
from .evaluation import apply_evaluation
from .work import Actor, PatientWork

__all__ = [
    "PHENOTYPE_FIELDS",
    "EnrolPatient",
    "amend_phenotype",
    "check_enrolment",
    "enrol_patient",
]

PHENOTYPE_FIELDS = ("diagnosis", "anti_mda5", "anti_ars", "ild_course", "risk_factors", "weight_kg")


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

    def phenotype(self) -> dict[str, object]:
        return {
            "diagnosis": self.diagnosis,
            "anti_mda5": self.anti_mda5,
            "anti_ars": self.anti_ars,
            "ild_course": self.ild_course,
            "risk_factors": list(self.risk_factors),
            "weight_kg": self.weight_kg,
        }


def check_enrolment(command: EnrolPatient, today: date) -> dict[str, object]:
    if not command.id or not command.id.strip() or len(command.id) > 64:
        raise InvalidValue("id", command.id, "a non-empty identifier of at most 64 characters")
    check_choice("sex", command.sex, SEXES)
    if command.birth_date > today:
        raise InvalidValue("birth_date", command.birth_date.isoformat(), "a date in the past")
    if command.enrolled_on > today:
        raise InvalidValue(
            "enrolled_on", command.enrolled_on.isoformat(), f"a date on or before today ({today})"
        )
    if command.enrolled_on < command.birth_date:
        raise InvalidValue(
            "enrolled_on",
            command.enrolled_on.isoformat(),
            f"a date on or after birth ({command.birth_date})",
        )
    return {name: check_phenotype(name, value) for name, value in command.phenotype().items()}


def enrol_patient(app: App, command: EnrolPatient, actor: Actor) -> str:
    """Enrol; opens the enrolment tasks (PFT, vaccinations, and the transplant referral of an
    anti-MDA5 positive patient)."""
    today = app.clock.today()
    phenotype = check_enrolment(command, today)
    with app.transaction() as session:
        taken = session.exec(select(PatientRow).where(PatientRow.external_id == command.id))
        if taken.first() is not None:
            raise DuplicatePatient(command.id)
        patient = PatientRow(
            external_id=command.id,
            sex=command.sex,
            birth_date=command.birth_date,
            enrolled_on=command.enrolled_on,
            state="diagnosis",
            state_since=command.enrolled_on,
            pathway_version=app.definition.version,
            created_at=app.clock.now(),
            last_evaluated_on=today - timedelta(days=1),
            **phenotype,  # type: ignore[arg-type]
        )
        session.add(patient)
        session.flush()
        with PatientWork(app, session, held(patient), actor) as work:
            for name, value in phenotype.items():
                work.add(
                    PhenotypeEntryRow(
                        field=name, value=value, **work.entry_columns(command.enrolled_on)
                    )
                )
            work.audit(
                "patient_enrolled",
                {
                    "id": command.id,
                    "sex": command.sex,
                    "birth_date": command.birth_date,
                    "enrolled_on": command.enrolled_on,
                    **phenotype,
                },
                clinical_on=command.enrolled_on,
            )
            apply_evaluation(work)
    return command.id


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
) -> None:
    """Amend one phenotype field from its clinical date; rules that depend on it apply from
    then on (e.g. anti-MDA5 becoming positive opens the transplant referral task)."""
    with (
        app.transaction() as session,
        PatientWork.open(app, session, external_id, actor, expected_version) as work,
    ):
        if field_name not in PHENOTYPE_FIELDS:
            raise InvalidValue("field", field_name, ", ".join(PHENOTYPE_FIELDS))
        checked = check_phenotype(field_name, value)
        work.check_date("on", on)
        old = getattr(work.patient, field_name)
        work.add(
            PhenotypeEntryRow(
                field=field_name, value=checked, reason=reason, **work.entry_columns(on)
            )
        )
        current = phenotype_on(work.record, work.today)
        patient = work.patient
        patient.diagnosis, patient.anti_mda5, patient.anti_ars = (
            current.diagnosis,
            current.anti_mda5,
            current.anti_ars,
        )
        patient.ild_course, patient.weight_kg = current.ild_course, current.weight_kg
        patient.risk_factors = sorted(current.flags)
        work.audit(
            "phenotype_amended",
            {"field": field_name, "old": old, "new": checked, "reason": reason},
            clinical_on=on,
        )
        apply_evaluation(work)
