"""Who looked at which patient record: an append-only access log, hash-chained per patient.

Kept apart from the clinical audit chain on purpose: a view must not move the patient's
version, or every coordinator who opens a page would turn the next write of a colleague into a
conflict. Verified like the clinical chain (`verify_view_chains`).
"""

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import Column, UniqueConstraint, func
from sqlmodel import Field, Session, SQLModel, col, select

from .audit import ChainBreak, chains, first_break
from .audit_chain import GENESIS, instant_text, link_hash
from .audit_key import AuditKeyring
from .types import UTCDateTime

__all__ = ["RecordViewRow", "append_view", "count_views", "verify_view_chains", "view_hash"]


class RecordViewRow(SQLModel, table=True):
    """One view of one patient's record (page, API read or report) by one person."""

    __tablename__ = "record_view"
    __table_args__ = (UniqueConstraint("patient_id", "seq", name="uq_record_view_patient_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    seq: int
    actor: str = Field(max_length=64)
    role: str = Field(max_length=32)
    via: str = Field(max_length=16)
    what: str = Field(max_length=64)
    viewed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    key_id: str = Field(default="", max_length=16)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


def view_hash(row: RecordViewRow, keyring: AuditKeyring) -> str:
    """The keyed hash of one view: a link of the one chainer, over who saw what, when and
    how, under the key the view names."""
    return link_hash(
        {
            "patient_id": row.patient_id,
            "seq": row.seq,
            "actor": row.actor,
            "role": row.role,
            "via": row.via,
            "what": row.what,
            "viewed_at": instant_text(row.viewed_at),
            "key_id": row.key_id,
            "prev_hash": row.prev_hash,
        },
        keyring,
        row.key_id,
    )


def append_view(
    session: Session,
    patient_id: int,
    *,
    actor: str,
    role: str,
    via: str,
    what: str,
    viewed_at: datetime,
    keyring: AuditKeyring,
) -> RecordViewRow:
    """Append one view after the patient's last; a concurrent view of the same patient makes
    the unique (patient, seq) refuse one of the two, and the caller retries."""
    last = session.exec(
        select(RecordViewRow)
        .where(RecordViewRow.patient_id == patient_id)
        .order_by(col(RecordViewRow.seq).desc())
        .limit(1)
    ).first()
    row = RecordViewRow(
        patient_id=patient_id,
        seq=(last.seq if last else 0) + 1,
        actor=actor,
        role=role,
        via=via,
        what=what,
        viewed_at=viewed_at,
        key_id=keyring.current,
        prev_hash=last.hash if last else GENESIS,
        hash="",
    )
    row.hash = view_hash(row, keyring)
    session.add(row)
    return row


def verify_view_chains(session: Session, keyring: AuditKeyring) -> Iterator[ChainBreak]:
    """The first break of every patient whose access log is not intact."""
    for patient, views in chains(session, RecordViewRow):
        found = first_break(patient, views, lambda row: view_hash(row, keyring), "view", None)
        if found is not None:
            yield found


def count_views(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(RecordViewRow)).one())
