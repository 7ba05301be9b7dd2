"""The cohort read patient by patient, in batches, for the audit report: the record, and the
tasks, alerts and transitions the report can use. Streamed, never the whole cohort in memory.

Everything is read as plain rows (named tuples of the columns asked for), never as ORM
objects: at clinic scale (10,000 patients) building and tracking ORM objects cost more than
the audit itself. A batch of patients is read with one query per table (`load_records` for
the record), so the number of queries grows with the batches, not with the patients.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Row, and_, func, or_, select
from sqlmodel import Session

from pathway import PatientRecord
from persistence.records import load_records
from persistence.tables import AlertRow, CareTaskRow, PatientRow, TransitionRow

from ..bootstrap import App

__all__ = ["BATCH", "PatientBundle", "cohort_bundles", "count_in_period"]

BATCH = 500

_patient = PatientRow.__table__.c  # type: ignore[attr-defined]
_task = CareTaskRow.__table__.c  # type: ignore[attr-defined]
_alert = AlertRow.__table__.c  # type: ignore[attr-defined]
_transition = TransitionRow.__table__.c  # type: ignore[attr-defined]

_PATIENT_COLUMNS = (_patient.id, _patient.external_id, _patient.birth_date, _patient.enrolled_on)
_TASK_COLUMNS = (
    _task.kind,
    _task.opened_on,
    _task.due_on,
    _task.status,
    _task.closed_on,
    _task.rescheduled_to,
)
_ALERT_COLUMNS = (
    _alert.id,
    _alert.code,
    _alert.severity,
    _alert.raised_on,
    _alert.message,
    _alert.source,
    _alert.pathway_version,
    _alert.acknowledged_at,
    _alert.acknowledged_by,
    _alert.justification,
    _alert.clinical_on,
    _alert.status,
    _alert.withdrawn_at,
    _alert.withdrawn_by,
    _alert.cleared_on,
    _alert.cleared_by,
)
_TRANSITION_COLUMNS = (
    _transition.clinical_on,
    _transition.recorded_at,
    _transition.trigger,
    _transition.from_state,
    _transition.to_state,
    _transition.actor,
    _transition.role,
    _transition.reason,
    _transition.outcome,
    _transition.closing_reason,
    _transition.evidence,
    _transition.pathway_version,
)


@dataclass(frozen=True)
class PatientBundle:
    """One patient as the report reads it. The rows are plain rows with the columns of
    ``_PATIENT_COLUMNS``, ``_TASK_COLUMNS`` ...; each list in recording order, and holding only
    the rows the audit of the period can use (see `cohort_bundles`)."""

    patient: Row[Any]
    record: PatientRecord
    tasks: list[Row[Any]]
    alerts: list[Row[Any]]
    transitions: list[Row[Any]]


def _in_period(start: date, end: date) -> Any:
    """Enrolled by the end of the period and not closed before it began."""
    closed_before = (_patient.state == "closed") & (_patient.state_since < start)
    return (_patient.enrolled_on <= end) & ~closed_before


def count_in_period(app: App, start: date, end: date) -> int:
    """How many patients `cohort_bundles` streams for the period (for checks and benchmarks)."""
    with app.transaction() as session:
        query = select(func.count()).select_from(PatientRow).where(_in_period(start, end))
        return int(session.execute(query).scalar_one())


def _tasks_that_count(start: date, end: date) -> Any:
    """The tasks the audit of [start, end] can use: due by the end, and either due in the
    period (judged on time, late or missed) or still open at the end (overdue). A pre-filter
    only: the report still judges every task it reads with `pathway.adherence`."""
    open_at_end = (_task.opened_on <= end) & (
        (_task.status == "open") | (_task.closed_on > end)  # closed after the end: open then
    )
    due_by_end = or_(_task.due_on <= end, _task.rescheduled_to <= end)  # §8 rescheduled
    return and_(due_by_end, or_(_task.due_on >= start, open_at_end))


def _standing_in(start: date, end: date) -> Any:
    """Alerts raised in the period and not withdrawn: a withdrawn alert is in no measure or
    list (CLINICAL_SPEC §7a)."""
    return and_(_alert.raised_on.between(start, end), _alert.status != "withdrawn")


def _by_patient(
    session: Session, columns: Sequence[Any], ids: list[int], where: Any
) -> dict[int, list[Row[Any]]]:
    """Rows of one table for a batch of patients, grouped by patient, in recording order."""
    table_id = columns[0].table.c.id
    patient_id = columns[0].table.c.patient_id
    query = (
        select(patient_id, *columns)
        .where(patient_id.in_(ids), where)
        .order_by(patient_id, table_id)
    )
    found: dict[int, list[Row[Any]]] = {}
    for row in session.execute(query).all():  # fetchall: row by row costs a call per row
        found.setdefault(row.patient_id, []).append(row)
    return found


def cohort_bundles(app: App, start: date, end: date) -> Iterator[PatientBundle]:
    """Every patient in care during [start, end], in enrolment order, a batch at a time.

    Alerts (standing ones: withdrawn alerts count nowhere, §7a) and transitions are read only
    within the period, and tasks only when they can
    count (`_tasks_that_count`): the report never uses the others, and at clinic scale most
    rows are outside a period of a few months.
    """
    last_id = 0
    while True:
        with app.transaction() as session:
            patients = list(
                session.execute(
                    select(*_PATIENT_COLUMNS)
                    .where(_in_period(start, end), _patient.id > last_id)
                    .order_by(_patient.id)
                    .limit(BATCH)
                )
            )
            if not patients:
                return
            ids = [p.id for p in patients]
            records = load_records(session, patients)
            tasks = _by_patient(session, _TASK_COLUMNS, ids, _tasks_that_count(start, end))
            alerts = _by_patient(session, _ALERT_COLUMNS, ids, _standing_in(start, end))
            moves = _by_patient(
                session, _TRANSITION_COLUMNS, ids, _transition.clinical_on.between(start, end)
            )
        for patient in patients:
            yield PatientBundle(
                patient,
                records[patient.id],
                tasks.get(patient.id, []),
                alerts.get(patient.id, []),
                moves.get(patient.id, []),
            )
        last_id = ids[-1]
