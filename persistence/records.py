"""Reading a patient's record out of the tables as the pathway's plain values.

Row ids become record ids with a prefix per table (``obs12``, ``rx7`` ...), so evidence and
idempotency keys say what they point at.
"""

from sqlmodel import Session, col, select

from pathway.record import (
    AlertRaised,
    Observation,
    PatientRecord,
    PhenotypeEntry,
    Procedure,
    TherapyEvent,
    TransitionEntry,
    Vaccination,
)

from .tables import (
    AlertRow,
    ObservationRow,
    PatientRow,
    PhenotypeEntryRow,
    ProcedureRow,
    TherapyEventRow,
    TransitionRow,
    VaccinationRow,
)

__all__ = ["RECORD_PREFIX", "load_record", "record_id"]

RECORD_PREFIX = {
    PhenotypeEntryRow: "ph",
    ObservationRow: "obs",
    TherapyEventRow: "rx",
    ProcedureRow: "proc",
    VaccinationRow: "vac",
    TransitionRow: "tr",
}


def record_id(row: object) -> str:
    return f"{RECORD_PREFIX[type(row)]}{row.id}"  # type: ignore[attr-defined]


def _rows(session: Session, table: type, patient_id: int) -> list:  # type: ignore[type-arg]
    return list(
        session.exec(
            select(table).where(table.patient_id == patient_id).order_by(col(table.id))  # type: ignore[attr-defined]
        )
    )


def load_record(session: Session, patient: PatientRow) -> PatientRecord:
    """Everything recorded for ``patient``, each list in recording order."""
    assert patient.id is not None
    pid = patient.id
    return PatientRecord(
        patient_id=patient.external_id,
        birth_date=patient.birth_date,
        enrolled_on=patient.enrolled_on,
        phenotype=tuple(
            PhenotypeEntry(record_id(r), r.field, r.value, r.clinical_on, r.recorded_on)
            for r in _rows(session, PhenotypeEntryRow, pid)
        ),
        observations=tuple(_observation(r) for r in _rows(session, ObservationRow, pid)),
        therapies=tuple(
            TherapyEvent(
                record_id(r),
                r.agent,
                r.action,
                r.clinical_on,
                r.recorded_on,
                r.route,
                r.dose_mg_per_day,
            )
            for r in _rows(session, TherapyEventRow, pid)
        ),
        procedures=tuple(
            Procedure(record_id(r), r.kind, r.clinical_on, r.recorded_on)
            for r in _rows(session, ProcedureRow, pid)
        ),
        vaccinations=tuple(
            Vaccination(record_id(r), r.kind, r.clinical_on, r.recorded_on)
            for r in _rows(session, VaccinationRow, pid)
        ),
        transitions=tuple(
            TransitionEntry(
                record_id(r),
                r.trigger,
                r.from_state,
                r.to_state,
                r.clinical_on,
                r.recorded_on,
                r.reason,
                r.outcome,
                r.closing_reason,
            )
            for r in _rows(session, TransitionRow, pid)
        ),
        alerts=tuple(
            AlertRaised(r.code, r.key, r.raised_on, tuple(r.evidence))
            for r in _rows(session, AlertRow, pid)
        ),
    )


def _observation(row: ObservationRow) -> Observation:
    return Observation(
        id=record_id(row),
        kind=row.kind,
        on=row.clinical_on,
        recorded_on=row.recorded_on,
        fvc_pct=row.fvc_pct,
        dlco_pct=row.dlco_pct,
        dlco_corrected_pct=row.dlco_corrected_pct,
        fvc_l=row.fvc_l,
        iu_per_ml=row.iu_per_ml,
        oxygen=row.oxygen,
        finding=row.finding,
        extensive_ggo=row.extensive_ggo,
    )
