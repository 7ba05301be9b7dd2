"""Evaluate patients: raise the alerts that now hold and bring care tasks up to date.

Runs after every recorded event (alerts "raised when the therapy is recorded", §7) and daily
for every active patient (time-driven alerts and tasks, §8). A day the daily run missed is
caught up with what was known on that day, so nothing is raised in the past from a late entry
and nothing is lost while the scheduler was down.
"""

from datetime import date, timedelta

from sqlmodel import col, select

from pathway import Evaluation, evaluate
from pathway.findings import Alert, CareTask
from pathway.rules.monitoring import OVERDUE_ALERTS
from persistence.tables import AlertRow, CareTaskRow, PatientRow

from ..bootstrap import App
from .work import ENGINE, PatientWork, find_patient

__all__ = ["apply_evaluation", "evaluate_patient", "raise_alerts", "run_daily_evaluation"]


def raise_alerts(work: PatientWork, alerts: tuple[Alert, ...], day: date) -> list[AlertRow]:
    """Store the alerts not raised before (their key makes this idempotent)."""
    known = {a.key for a in work.record.alerts}
    raised: list[AlertRow] = []
    for alert in alerts:
        if alert.key in known:
            continue
        known.add(alert.key)
        row = AlertRow(
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
        work.add(row)
        work.audit(
            "alert_raised",
            {
                "alert_id": row.id,
                "code": alert.code,
                "key": alert.key,
                "severity": row.severity,
                "raised_on": day,
            },
            clinical_on=day,
            actor=ENGINE,
        )
        raised.append(row)
    return raised


def _task_fields(task: CareTask) -> dict[str, object]:
    return {
        "due_on": task.due_on,
        "status": task.status.value,
        "closed_on": task.closed_on,
        "opened_on": task.opened_on,
    }


def reconcile_tasks(work: PatientWork, tasks: tuple[CareTask, ...]) -> None:
    """Make the task rows say what the pathway says; a row the pathway no longer derives (a
    late entry rewrote the course) is cancelled, never deleted."""
    rows = {
        r.key: r
        for r in work.session.exec(
            select(CareTaskRow).where(CareTaskRow.patient_id == work.patient.id)
        )
    }
    derived = {t.key for t in tasks}
    for task in tasks:
        row = rows.get(task.key)
        fields = _task_fields(task)
        if row is None:
            row = CareTaskRow(
                patient_id=work.patient.id,
                kind=task.kind,
                key=task.key,
                source=task.source,
                pathway_version=task.version,
                evidence=list(task.evidence),
                updated_at=work.now(),
                **fields,
            )
            work.session.add(row)
            work.audit(
                "task_opened",
                {"key": task.key, "kind": task.kind, **fields},
                clinical_on=task.opened_on,
                actor=ENGINE,
            )
        elif any(getattr(row, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(row, k, v)
            row.updated_at = work.now()
            work.session.add(row)
            work.audit("task_updated", {"key": task.key, "kind": task.kind, **fields}, actor=ENGINE)
    for key, row in rows.items():
        if key not in derived and row.status == "open":
            row.status, row.closed_on, row.updated_at = "cancelled", work.today, work.now()
            work.session.add(row)
            work.audit(
                "task_updated",
                {
                    "key": key,
                    "kind": row.kind,
                    "status": "cancelled",
                    "why": "no longer follows from the record",
                },
                actor=ENGINE,
            )


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
    with app.transaction() as session:
        work = PatientWork(app, session, find_patient(session, external_id), ENGINE)
        return _catch_up(work, as_of or work.today)


def _catch_up_days_before(work: PatientWork, as_of: date) -> None:
    """Raise, dated as the daily run would have dated them, the alerts of every day since the
    last daily run and before ``as_of`` (what was known on each day: an entry recorded today
    is not), so a scheduler that was down never makes an alert late."""
    patient = work.patient
    first = (patient.last_evaluated_on or patient.enrolled_on - timedelta(days=1)) + timedelta(1)
    day = min(first, as_of)
    while day < as_of:
        raise_alerts(work, evaluate(work.record, day, work.app.definition).alerts, day)
        day += timedelta(days=1)
    if day > first and (patient.last_evaluated_on or date.min) < as_of - timedelta(days=1):
        patient.last_evaluated_on = as_of - timedelta(days=1)
        work.session.add(patient)


def _catch_up(work: PatientWork, as_of: date) -> Evaluation:
    patient = work.patient
    _catch_up_days_before(work, as_of)
    evaluation = apply_evaluation(work, as_of, daily=True)
    if patient.last_evaluated_on is None or patient.last_evaluated_on < as_of:
        patient.last_evaluated_on = as_of
        work.session.add(patient)
    return evaluation


def run_daily_evaluation(app: App, as_of: date | None = None) -> int:
    """Evaluate every patient not closed, one transaction each; returns how many."""
    day = as_of or app.clock.today()
    with app.transaction() as session:
        ids = list(
            session.exec(
                select(PatientRow.external_id)
                .where(PatientRow.state != "closed")
                .order_by(col(PatientRow.id))
            )
        )
    for external_id in ids:
        evaluate_patient(app, external_id, day)
    return len(ids)
