"""Who looked at which patients in a listing: the access log of everything that shows several
patients at once (the board, the worklist, alerts, calendars, cohort reports, FHIR exports).

One entry per request, not per patient: a cohort report of 117 patients is one `listing_view`
row and 117 `listing_view_patient` rows, written in two inserts. The entries form one chain
for the whole installation (like the accounts chain): each entry's keyed hash covers who,
when, through what, how they asked, and the sorted ids of the patients shown, and names the
hash of the entry before. A patient row altered, added or taken away changes what the
entry's hash should be, so `audit verify` finds it (`persistence.listing_verify`).

Concurrency: the unique ``seq`` refuses the second of two writers that read the same head;
the caller (`ildpath.usecases.listings`) retries, so the chain never forks.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint, insert
from sqlmodel import Field, Session, SQLModel, col, select

from .audit_chain import GENESIS, instant_text, link_hash
from .audit_key import AuditKeyring
from .types import UTCDateTime

__all__ = [
    "LISTING_TABLES",
    "ListingPatientRow",
    "ListingViewRow",
    "append_listing",
    "listing_hash",
]


class ListingViewRow(SQLModel, table=True):
    """One request that showed a listing of patients, by one person."""

    __tablename__ = "listing_view"

    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(unique=True)
    actor: str = Field(max_length=64)
    role: str = Field(max_length=32)
    via: str = Field(max_length=16)
    what: str = Field(max_length=64)
    query: str = Field(sa_column=Column(Text, nullable=False))
    patients: int
    viewed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    key_id: str = Field(max_length=16)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class ListingPatientRow(SQLModel, table=True):
    """One patient shown by one listing entry (part of what the entry's hash covers)."""

    __tablename__ = "listing_view_patient"
    __table_args__ = (UniqueConstraint("listing_id", "patient_id", name="uq_listing_view_patient"),)

    id: int | None = Field(default=None, primary_key=True)
    listing_id: int = Field(foreign_key="listing_view.id", index=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)


LISTING_TABLES = (ListingViewRow.__tablename__, ListingPatientRow.__tablename__)
"""The listing log's tables: append-only like the rest of the access log (migration 0023)."""


def listing_hash(row: ListingViewRow, patient_ids: Sequence[int], keyring: AuditKeyring) -> str:
    """The keyed hash of one entry: a link of the one chainer over the entry and the sorted
    ids of the patients it showed, under the key the entry names."""
    return link_hash(
        {
            "seq": row.seq,
            "actor": row.actor,
            "role": row.role,
            "via": row.via,
            "what": row.what,
            "query": row.query,
            "patients": row.patients,
            "patient_ids": sorted(patient_ids),
            "viewed_at": instant_text(row.viewed_at),
            "key_id": row.key_id,
            "prev_hash": row.prev_hash,
        },
        keyring,
        row.key_id,
    )


def _head(session: Session) -> tuple[int, str]:
    last = session.exec(
        select(ListingViewRow.seq, ListingViewRow.hash)
        .order_by(col(ListingViewRow.seq).desc())
        .limit(1)
    ).first()
    return (last[0], last[1]) if last else (0, GENESIS)


def append_listing(
    session: Session,
    patient_ids: Sequence[int],
    *,
    actor: str,
    role: str,
    via: str,
    what: str,
    query: str,
    viewed_at: datetime,
    keyring: AuditKeyring,
) -> ListingViewRow:
    """Append one entry after the last, with its patients (distinct ids): one insert of the
    entry and one multi-row insert of the patients."""
    shown = sorted(set(patient_ids))
    seq, previous = _head(session)
    row = ListingViewRow(
        seq=seq + 1,
        actor=actor,
        role=role,
        via=via,
        what=what[:64],
        query=query,
        patients=len(shown),
        viewed_at=viewed_at,
        key_id=keyring.current,
        prev_hash=previous,
        hash="",
    )
    row.hash = listing_hash(row, shown, keyring)
    session.add(row)
    session.flush()
    if shown:
        session.execute(
            insert(ListingPatientRow),
            [{"listing_id": row.id, "patient_id": patient} for patient in shown],
        )
    return row
