"""Evaluate patients: raise the alerts that now hold and bring care tasks up to date.

Runs after every recorded event (alerts "raised when the therapy is recorded", §7) and daily
for every active patient (time-driven alerts and tasks, §8). A day the daily run missed is
caught up with what was known on that day, so nothing is raised in the past from a late entry
and nothing is lost while the scheduler was down.
"""

from collections import defaultdict
from datetime import date
from typing import Any

from pathway import Evaluation, evaluate
from pathway.findings import Alert, CareTask
from pathway.rules.monitoring import OVERDUE_ALERTS
from persistence.tables import AlertRow

from ..bootstrap import App
from .changes import (
    AuditNote,
    alert_note,
    judge_missed_days,
    missed_days,
    task_changes,
    unraised,
)
from .task_rows import TaskUpdates, read_stored_tasks, task_row, write_task_rows
from .work import ENGINE, PatientWork

__all__ = [
    "apply_evaluation",
    "evaluate_patient",
    "raise_alerts",
]


def _store_alert(work: PatientWork, alert: Alert, day: date) -> AlertRow:
    row = work.add(
        AlertRow(
            patient_id=work.patient.id,
            code=alert.code,
            key=alert.key,
            severity=alert.severity.value,
            message=alert.message,
            source=alert.source,
            pathway_version=alert.version,
            raised_on=day,
            raised_at=work.now(),
            evidence=list(alert.evidence),
        )
    )
    _audit(work, alert_note(row.id, alert, day))
    return row


def _audit(work: PatientWork, note: AuditNote) -> None:
    work.audit(note.kind, note.payload, clinical_on=note.clinical_on, actor=ENGINE)


def raise_alerts(work: PatientWork, alerts: tuple[Alert, ...], day: date) -> list[AlertRow]:
    """Store the alerts not raised before (their key makes this idempotent)."""
    known = (a.key for a in work.record.alerts)
    return [_store_alert(work, alert, day) for alert in unraised(known, alerts)]


def reconcile_tasks(work: PatientWork, tasks: tuple[CareTask, ...]) -> None:
    """Make the task rows say what the pathway says (`changes.task_changes`)."""
    patient_id = work.patient.id
    assert patient_id is not None
    stored = read_stored_tasks(work.session, [patient_id]).get(patient_id, [])
    new_tasks: list[dict[str, Any]] = []
    task_updates: TaskUpdates = defaultdict(list)
    for change in task_changes(stored, tasks, work.today):
        task_row(patient_id, change, work.now(), new_tasks, task_updates)
        _audit(work, change.note)
    write_task_rows(work.session, new_tasks, task_updates)


def apply_evaluation(
    work: PatientWork, day: date | None = None, *, daily: bool = False
) -> Evaluation:
    """Evaluate on ``day`` (default: today), raise new alerts, reconcile tasks.

    Overdue alerts wait for the daily run: a day is judged after all of its events (§9), so a
    PFT recorded later the same day is not reported overdue in between.
    """
    day = day or work.today
    if not daily:
        _catch_up_days_before(work, day)
    evaluation = evaluate(work.record, day, work.app.definition)
    alerts = (
        evaluation.alerts
        if daily
        else tuple(a for a in evaluation.alerts if a.code not in OVERDUE_ALERTS)
    )
    raise_alerts(work, alerts, day)
    reconcile_tasks(work, evaluation.tasks)
    return evaluation


def evaluate_patient(app: App, external_id: str, as_of: date | None = None) -> Evaluation:
    """The daily run for one patient: every day since the last run, up to ``as_of`` (today)."""
    with app.transaction() as session, PatientWork.of(app, session, external_id, ENGINE) as work:
        return _catch_up(work, as_of or work.today)


def _catch_up_days_before(work: PatientWork, as_of: date) -> None:
    """Raise, dated as the daily run would have dated them, the alerts of every day since the
    last daily run and before ``as_of`` (what was known on each day: an entry recorded today
    is not), so a scheduler that was down never makes an alert late."""
    patient = work.patient
    days = missed_days(patient.last_evaluated_on, patient.enrolled_on, as_of)
    if not days:
        return
    raised, _ = judge_missed_days(work.record, days, work.app.definition)
    for day, alert in raised:
        _store_alert(work, alert, day)
    patient.last_evaluated_on = days[-1]


def _catch_up(work: PatientWork, as_of: date) -> Evaluation:
    patient = work.patient
    _catch_up_days_before(work, as_of)
    evaluation = apply_evaluation(work, as_of, daily=True)
    if patient.last_evaluated_on is None or patient.last_evaluated_on < as_of:
        patient.last_evaluated_on = as_of
    return evaluation
