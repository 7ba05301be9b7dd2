"""Verify the audit trail of every patient: the clinical chain and the access log."""

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import select

from persistence.audit import ChainBreak, verify_chains
from persistence.record_views import count_views, verify_view_chains
from persistence.tables import AuditEventRow, PatientRow

from ..bootstrap import App

__all__ = ["AuditReport", "verify_audit"]


@dataclass(frozen=True)
class AuditReport:
    patients: int
    events: int
    breaks: list[ChainBreak]
    views: int = 0


def verify_audit(app: App) -> AuditReport:
    with app.transaction() as session:
        keyring = app.sql.keyring
        breaks = list(verify_chains(session, keyring)) + list(verify_view_chains(session, keyring))
        patients = session.exec(select(func.count()).select_from(PatientRow)).one()
        events = session.exec(select(func.count()).select_from(AuditEventRow)).one()
        views = count_views(session)
    return AuditReport(patients, events, breaks, views)
