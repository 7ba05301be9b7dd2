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
from .alert_standing import lifecycle_fields
from .outcome import Outcome
from .work import PatientWork

__all__ = ["STATUSES", "AlertEntry", "acknowledge_alert", "list_alerts"]


def acknowledge_alert(app: App, alert_id: int, justification: str, actor: Actor) -> Outcome:
    """Record who acknowledged the alert and why; an alert is acknowledged once."""
    if not justification or not justification.strip():
        raise InvalidValue("justification", justification, "a non-empty text")
    justification = check_text("justification", justification)
    with app.unit_of_work() as uow:
        alert = uow.patients.alert(alert_id)
        if alert is None:
            raise AlertNotFound(alert_id)
        if alert.status == "withdrawn":
            raise InvalidValue(
                "alert",
                alert_id,
                "an alert that stands (this one was withdrawn on "
                f"{alert.raised_on} by the same day's entry {alert.withdrawn_by}: its cause did "
                "not hold once the day was entered)",
            )
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


STATUSES = ("raised", "withdrawn", "all")
"""``status`` filter of `list_alerts`: the alerts that stand (``raised``, the default: lists
and counts leave withdrawn alerts out, §7a), those withdrawn within their recording day, or
both."""


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
    status: str
    """``raised`` or ``withdrawn`` (§7a)."""
    clinical_on: date
    holds: bool
    """Not withdrawn and not cleared on the day listed (§7a)."""
    cleared_on: date | None
    cleared_by: str | None
    withdrawn_by: str | None
    withdrawn_at: datetime | None
    standing: str
    """``holding``, ``cleared on D`` or ``withdrawn by <entry> on D``."""
    patient_closed: bool


def _entry(patient_id: str, state: str, a: AlertRow, day: date) -> AlertEntry:
    life = lifecycle_fields(a, day)
    return AlertEntry(
        a.id or 0,
        patient_id,
        a.code,
        a.severity,
        a.raised_on,
        a.message,
        a.source,
        a.pathway_version,
        a.acknowledged_at,
        a.acknowledged_by,
        a.justification,
        life["status"],
        life["clinical_on"],
        life["holds"],
        life["cleared_on"],
        life["cleared_by"],
        life["withdrawn_by"],
        life["withdrawn_at"],
        life["standing"],
        state == "closed",
    )


def _rank(entry: AlertEntry) -> tuple[int, int, int, int]:
    """Holding first, then cleared, then withdrawn; a closed patient's alerts last (they rank
    nowhere, §7a); newest first within each."""
    tier = 0 if entry.holds else (2 if entry.status == "withdrawn" else 1)
    return (int(entry.patient_closed), tier, -entry.raised_on.toordinal(), -entry.id)


def list_alerts(
    app: App,
    *,
    patient_id: str | None = None,
    severities: tuple[str, ...] = (),
    unacknowledged: bool = False,
    raised_from: date | None = None,
    raised_to: date | None = None,
    holding: bool = False,
    status: str = "raised",
    closed: bool = False,
) -> list[AlertEntry]:
    """Alerts across the cohort as a coordinator asks, those that hold first (§7a), newest
    first within. ``holding``: only those holding today; ``status``: see `STATUSES`;
    ``closed``: include the alerts of closed patients in a cohort-wide list (one patient's
    list always has them, ranked last)."""
    for severity in severities:
        if severity not in ("info", "warning", "critical"):
            raise InvalidValue("severity", severity, "info, warning, critical")
    if status not in STATUSES:
        raise InvalidValue("status", status, ", ".join(STATUSES))
    query = select(PatientRow.external_id, PatientRow.state, AlertRow).join(
        PatientRow, col(PatientRow.id) == col(AlertRow.patient_id)
    )
    if patient_id is not None:
        query = query.where(PatientRow.external_id == patient_id)
    elif not closed:
        query = query.where(PatientRow.state != "closed")
    if status != "all":
        query = query.where(AlertRow.status == status)
    if severities:
        query = query.where(col(AlertRow.severity).in_(severities))
    if unacknowledged:
        query = query.where(col(AlertRow.acknowledged_at).is_(None))
    if raised_from is not None:
        query = query.where(AlertRow.raised_on >= raised_from)
    if raised_to is not None:
        query = query.where(AlertRow.raised_on <= raised_to)
    day = app.clock.today()
    with app.transaction() as session:
        found = [_entry(pid, state, a, day) for pid, state, a in session.exec(query)]
    if holding:
        found = [e for e in found if e.holds]
    return sorted(found, key=_rank)
