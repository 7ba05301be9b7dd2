"""Who saw this patient: the access log read back for one patient, single views (the record,
its report, its export) and listings that named the patient (the board, the worklist, alerts,
calendars, cohort reports and exports) together, oldest first.

Reading it is itself a view of the patient (``what``: access log), so an auditor's look is
in the log the next auditor reads.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from persistence.listing_views import ListingPatientRow, ListingViewRow
from persistence.record_views import RecordViewRow
from persistence.tables import PatientRow

from ..bootstrap import App
from ..errors import PatientNotFound
from .views import record_view
from .work import Actor

__all__ = ["ACCESS_LOG_VIEW", "Access", "access_history"]

ACCESS_LOG_VIEW = "access log"


@dataclass(frozen=True)
class Access:
    """One time the patient was shown: ``kind`` ``record`` (the patient alone) or
    ``listing`` (with ``patients`` in all, asked as ``query``)."""

    at: datetime
    kind: str
    actor: str
    role: str
    via: str
    what: str
    query: str = ""
    patients: int = 1


def _patient_pk(session: Session, external_id: str) -> int:
    found = session.exec(select(PatientRow.id).where(PatientRow.external_id == external_id))
    pk = found.first()
    if pk is None:
        raise PatientNotFound(external_id)
    return pk


def _views(session: Session, pk: int) -> list[Access]:
    rows = session.exec(
        select(RecordViewRow).where(RecordViewRow.patient_id == pk).order_by(col(RecordViewRow.seq))
    )
    return [Access(r.viewed_at, "record", r.actor, r.role, r.via, r.what) for r in rows]


def _listings(session: Session, pk: int) -> list[Access]:
    rows = session.exec(
        select(ListingViewRow)
        .join(ListingPatientRow, col(ListingPatientRow.listing_id) == col(ListingViewRow.id))
        .where(ListingPatientRow.patient_id == pk)
        .order_by(col(ListingViewRow.seq))
    )
    return [
        Access(r.viewed_at, "listing", r.actor, r.role, r.via, r.what, r.query, r.patients)
        for r in rows
    ]


def access_history(app: App, external_id: str, actor: Actor, *, via: str) -> list[Access]:
    """Every access to the patient, oldest first; the reading is logged after it."""
    with app.transaction() as session:
        pk = _patient_pk(session, external_id)
        found = _views(session, pk) + _listings(session, pk)
    record_view(app, external_id, actor, via=via, what=ACCESS_LOG_VIEW)
    return sorted(found, key=lambda access: access.at)
