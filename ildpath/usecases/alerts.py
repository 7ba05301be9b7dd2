"""Acknowledge an alert: a clinician's justification, kept in the audit trail (§7)."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import col, select

from pathway.errors import InvalidValue
from pathway.validation import check_text
from persistence.changes import Acknowledgement, Actor
from persistence.tables import AlertRow, PatientRow

from ..bootstrap import App
from ..errors import AlertNotFound
from .outcome import Outcome
from .work import PatientWork

__all__ = ["AlertEntry", "acknowledge_alert", "list_alerts"]


def acknowledge_alert(app: App, alert_id: int, justification: str, actor: Actor) -> Outcome:
    """Record who acknowledged the alert and why; an alert is acknowledged once."""
    if not justification or not justification.strip():
        raise InvalidValue("justification", justification, "a non-empty text")
    justification = check_text("justification", justification)
    with app.unit_of_work() as uow:
        alert = uow.patients.alert(alert_id)
        if alert is None:
            raise AlertNotFound(alert_id)
        if alert.acknowledged_at is not None:
            raise InvalidValue(
                "alert",
                alert_id,
                f"an unacknowledged alert (acknowledged by "
                f"{alert.acknowledged_by} at {alert.acknowledged_at})",
            )
        patient = uow.patients.get(alert.patient_id)
        assert patient is not None
        work = PatientWork(app, uow, patient, actor)
        work.write([Acknowledgement(alert_id, alert.code, alert.key, justification.strip(), actor)])
        work.entry_id = alert_id
        return work.outcome()


@dataclass(frozen=True)
class AlertEntry:
    id: int
    patient_id: str
    code: str
    severity: str
    raised_on: date
    message: str
    source: str
    pathway_version: str
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    justification: str | None


def list_alerts(
    app: App,
    *,
    patient_id: str | None = None,
    severities: tuple[str, ...] = (),
    unacknowledged: bool = False,
    raised_from: date | None = None,
    raised_to: date | None = None,
) -> list[AlertEntry]:
    """Alerts across the cohort, newest first, filtered as a coordinator asks."""
    for severity in severities:
        if severity not in ("info", "warning", "critical"):
            raise InvalidValue("severity", severity, "info, warning, critical")
    query = select(PatientRow.external_id, AlertRow).join(
        PatientRow, col(PatientRow.id) == col(AlertRow.patient_id)
    )
    if patient_id is not None:
        query = query.where(PatientRow.external_id == patient_id)
    if severities:
        query = query.where(col(AlertRow.severity).in_(severities))
    if unacknowledged:
        query = query.where(col(AlertRow.acknowledged_at).is_(None))
    if raised_from is not None:
        query = query.where(AlertRow.raised_on >= raised_from)
    if raised_to is not None:
        query = query.where(AlertRow.raised_on <= raised_to)
    query = query.order_by(col(AlertRow.raised_on).desc(), col(AlertRow.id).desc())
    with app.transaction() as session:
        return [
            AlertEntry(
                a.id or 0,
                pid,
                a.code,
                a.severity,
                a.raised_on,
                a.message,
                a.source,
                a.pathway_version,
                a.acknowledged_at,
                a.acknowledged_by,
                a.justification,
            )
            for pid, a in session.exec(query)
        ]
