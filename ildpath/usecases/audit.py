"""Verify the audit trail: every patient's chain and the record rebuilt from it, the access
log (single views and listings), the accounts chain, and the latest checkpoint of their heads."""

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, select

from persistence.account_chain import count_account_events, verify_account_chain
from persistence.audit import ChainBreak
from persistence.audit_findings import Finding
from persistence.audit_rebuild import SliceChecked, check_patients, patient_id_range
from persistence.listing_verify import count_listings, verify_listing_chain
from persistence.record_views import count_views, verify_view_chains

from ..bootstrap import App
from .audit_checkpoint import checkpoint_report
from .worker_processes import in_worker_processes

__all__ = ["SLICE", "AuditReport", "verify_audit"]

SLICE = 500
"""Patients verified together: every table is read once per slice."""


@dataclass(frozen=True)
class AuditReport:
    """What `verify_audit` found, and how much it checked."""

    patients: int
    events: int
    findings: list[Finding]
    views: int = 0
    listings: int = 0
    rows: int = 0
    seconds: float = 0.0
    account_events: int = 0
    checkpoint: dict[str, object] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.findings

    @property
    def breaks(self) -> list[Finding]:
        """The breaks of the patients' chains and access logs (single views and listings)."""
        return [found for found in self.findings if found.chain in ("events", "views", "listings")]

    def as_json(self) -> dict[str, object]:
        return {
            "intact": self.intact,
            "patients": self.patients,
            "events": self.events,
            "rows_checked": self.rows,
            "views": self.views,
            "listings": self.listings,
            "account_events": self.account_events,
            "seconds": round(self.seconds, 3),
            "checkpoint": self.checkpoint,
            "notes": self.notes,
            "findings": [
                {
                    "chain": found.chain,
                    "patient": found.patient,
                    "table": found.table,
                    "row_id": found.row_id,
                    "seq": found.seq,
                    "problem": found.problem,
                }
                for found in self.findings
            ],
        }


def _view_findings(breaks: Iterator[ChainBreak]) -> Iterator[Finding]:
    for found in breaks:
        yield Finding("views", found.problem, found.external_id, seq=found.seq)


def _slices(low: int, high: int) -> Iterator[tuple[int, int]]:
    start = low
    while start <= high:
        yield start, min(start + SLICE - 1, high)
        start += SLICE


def _check_slice(app: App, piece: tuple[int, int]) -> SliceChecked:
    """One slice of patients, on a connection of its own (in a worker process, or not)."""
    with app.engine.connect() as connection:
        return check_patients(connection, app.sql.keyring, *piece)


def verify_audit(app: App) -> AuditReport:
    """Everything `audit verify` checks. Slices of patients are checked side by side in
    worker processes once there are several (`Settings.daily_workers`): signing every event
    again is pure Python, one core per process."""
    started = time.perf_counter()
    keyring = app.sql.keyring
    checked = SliceChecked()
    with app.engine.connect() as connection:
        low, high = patient_id_range(connection)
    workers = app.settings.daily_workers
    for result in in_worker_processes(app, _check_slice, _slices(low, high), workers, least=4):
        checked.add(result)
    with app.transaction() as session:
        checked.findings.extend(_view_findings(verify_view_chains(session, keyring)))
        views = count_views(session)
        checked.findings.extend(verify_listing_chain(session, keyring))
        listings = count_listings(session)
        checked.findings.extend(verify_account_chain(session, keyring))
        account_events = count_account_events(session)
        checked.patients = _count(session)
    checkpoint, anchored, notes = checkpoint_report(app)
    checked.findings.extend(anchored)
    return AuditReport(
        patients=checked.patients,
        events=checked.events,
        findings=checked.findings,
        views=views,
        listings=listings,
        rows=checked.rows,
        account_events=account_events,
        seconds=time.perf_counter() - started,
        checkpoint=checkpoint,
        notes=notes,
    )


def _count(session: Session) -> int:
    from persistence.tables import PatientRow

    return int(session.exec(select(func.count()).select_from(PatientRow)).one())
