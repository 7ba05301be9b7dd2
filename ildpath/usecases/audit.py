"""Verify the audit trail of every patient."""

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import select

from persistence.audit import ChainBreak, verify_chains
from persistence.tables import AuditEventRow, PatientRow

from ..bootstrap import App

__all__ = ["AuditReport", "verify_audit"]


@dataclass(frozen=True)
class AuditReport:
    patients: int
    events: int
    breaks: list[ChainBreak]


def verify_audit(app: App) -> AuditReport:
    with app.transaction() as session:
        breaks = list(verify_chains(session))
        patients = session.exec(select(func.count()).select_from(PatientRow)).one()
        events = session.exec(select(func.count()).select_from(AuditEventRow)).one()
    return AuditReport(patients, events, breaks)
