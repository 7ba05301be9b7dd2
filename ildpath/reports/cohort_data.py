"""The cohort read patient by patient, in batches, for the audit report: the record, the
tasks, alerts and transitions as stored. Streamed, never the whole cohort in memory."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from pathway import PatientRecord
from persistence.records import load_record
from persistence.tables import AlertRow, CareTaskRow, PatientRow, TransitionRow

from ..bootstrap import App

__all__ = ["PatientBundle", "cohort_bundles"]

BATCH = 500


@dataclass(frozen=True)
class PatientBundle:
    patient: PatientRow
    record: PatientRecord
    tasks: list[CareTaskRow]
    alerts: list[AlertRow]
    transitions: list[TransitionRow]


def _in_period(start: date, end: date) -> object:
    """Enrolled by the end of the period and not closed before it began."""
    closed_before = (PatientRow.state == "closed") & (col(PatientRow.state_since) < start)
    return (col(PatientRow.enrolled_on) <= end) & ~closed_before


def _children(session: Session, table: type, ids: list[int]) -> dict[int, list]:  # type: ignore[type-arg]
    found: dict[int, list] = {i: [] for i in ids}  # type: ignore[type-arg]
    rows = session.exec(
        select(table).where(col(table.patient_id).in_(ids)).order_by(col(table.id))  # type: ignore[attr-defined]
    )
    for row in rows:
        found[row.patient_id].append(row)
    return found


def cohort_bundles(app: App, start: date, end: date) -> Iterator[PatientBundle]:
    """Every patient in care during [start, end], in enrolment order, a batch at a time."""
    last_id = 0
    while True:
        with app.transaction() as session:
            patients = list(
                session.exec(
                    select(PatientRow)
                    .where(_in_period(start, end), col(PatientRow.id) > last_id)
                    .order_by(col(PatientRow.id))
                    .limit(BATCH)
                )
            )
            if not patients:
                return
            ids = [p.id for p in patients if p.id is not None]
            tasks = _children(session, CareTaskRow, ids)
            alerts = _children(session, AlertRow, ids)
            moves = _children(session, TransitionRow, ids)
            bundles = [
                PatientBundle(p, load_record(session, p), tasks[p.id], alerts[p.id], moves[p.id])
                for p in patients
                if p.id is not None
            ]
        yield from bundles
        last_id = ids[-1]
