"""Acknowledge an alert: a clinician's justification, kept in the audit trail (§7)."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import col, select

from pathway.errors import InvalidValue
from persistence.patients import read_patient
from persistence.tables import AlertRow, PatientRow

from ..bootstrap import App
from ..errors import AlertNotFound
from .work import Actor, PatientWork

__all__ = ["AlertEntry", "acknowledge_alert", "alerts_after", "last_alert_id", "list_alerts"]


def acknowledge_alert(app: App, alert_id: int, justification: str, actor: Actor) -> None:
    """Record who acknowledged the alert and why; an alert is acknowledged once."""
    if not justification or not justification.strip():
        raise InvalidValue("justification", justification, "a non-empty text")
    with app.transaction() as session:
        alert = session.get(AlertRow, alert_id)
        if alert is None:
            raise AlertNotFound(alert_id)
        if alert.acknowledged_at is not None:
            raise InvalidValue(
                "alert",
                alert_id,
                f"an unacknowledged alert (acknowledged by "
                f"{alert.acknowledged_by} at {alert.acknowledged_at})",
            )
        patient = read_patient(session, id=alert.patient_id)
        assert patient is not None
        with PatientWork(app, session, patient, actor) as work:
            alert.acknowledged_at = work.now()
            alert.acknowledged_by = actor.name
            alert.justification = justification.strip()
            session.add(alert)
            work.audit(
                "alert_acknowledged",
                {
                    "alert_id": alert_id,
                    "code": alert.code,
                    "key": alert.key,
                    "justification": alert.justification,
                },
            )


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


def last_alert_id(app: App) -> int:
    """The newest alert id, so that an entry can tell which alerts it raised."""
    with app.transaction() as session:
        return session.exec(select(func.max(AlertRow.id))).one() or 0


def alerts_after(app: App, patient_id: str, after: int) -> list[AlertRow]:
    """The patient's alerts with an id above ``after``, oldest first."""
    with app.transaction() as session:
        return list(
            session.exec(
                select(AlertRow)
                .join(PatientRow, col(PatientRow.id) == col(AlertRow.patient_id))
                .where(PatientRow.external_id == patient_id, col(AlertRow.id) > after)
                .order_by(col(AlertRow.id))
            )
        )
