"""Acknowledge an alert: a clinician's justification, kept in the audit trail (§7)."""

from pathway.errors import InvalidValue
from persistence.tables import AlertRow, PatientRow

from ..bootstrap import App
from ..errors import AlertNotFound
from .work import Actor, PatientWork

__all__ = ["acknowledge_alert"]


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
        patient = session.get(PatientRow, alert.patient_id)
        assert patient is not None
        work = PatientWork(app, session, patient, actor)
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
