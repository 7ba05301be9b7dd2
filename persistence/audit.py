"""The audit trail as read back: each patient's chain of events checked link by link.

Events are written only by the one writer (`persistence.writer`) and chained by the one
chainer (`persistence.audit_chain`); an edited, deleted or truncated event is found here
because its hash, its link to the one before, or the patient's head no longer agree.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from .audit_chain import GENESIS, event_hash
from .audit_key import AuditKeyring
from .tables import AuditEventRow, PatientRow

__all__ = ["ChainBreak", "chains", "first_break", "verify_chains"]


@dataclass(frozen=True)
class ChainBreak:
    """The first link at which a patient's chain no longer holds, and why."""

    patient_id: int
    external_id: str
    seq: int
    event_id: int | None
    problem: str


def first_break(
    patient: PatientRow,
    links: list[Any],
    digest: Callable[[Any], str],
    what: str,
    head: tuple[int, str] | None,
) -> ChainBreak | None:
    """The first broken link of one patient's chain (events, or views: ``what``), checking
    each link's place, its link to the one before and its hash, then, when the patient keeps
    the chain's ``head`` (sequence number and hash), that the chain ends there."""

    def broken(seq: int, row_id: int | None, problem: str) -> ChainBreak:
        return ChainBreak(patient.id or 0, patient.external_id, seq, row_id, problem)

    previous = GENESIS
    for expected, link in enumerate(links, start=1):
        if link.seq != expected:
            return broken(expected, link.id, f"{what} {expected} is missing (deleted)")
        if link.prev_hash != previous:
            return broken(link.seq, link.id, f"{what} does not follow the previous {what}")
        if digest(link) != link.hash:
            return broken(link.seq, link.id, f"{what} content does not match its hash (altered)")
        previous = link.hash
    if head is not None and (len(links) != head[0] or previous != (head[1] or GENESIS)):
        return broken(
            len(links) + 1,
            None,
            f"chain ends at {what} {len(links)} but the patient's head is "
            f"{what} {head[0]} ({what}s deleted from the end)",
        )
    return None


def chains(session: Session, table: Any) -> Iterator[tuple[PatientRow, list[Any]]]:
    """Each patient with its rows of ``table`` (a per-patient chain with ``seq``), in order."""
    for patient in session.exec(select(PatientRow).order_by(col(PatientRow.id))):
        rows = session.exec(
            select(table).where(table.patient_id == patient.id).order_by(col(table.seq))
        )
        yield patient, list(rows)


def verify_chains(session: Session, keyring: AuditKeyring) -> Iterator[ChainBreak]:
    """The first break of every patient whose chain is not intact (nothing when all are)."""
    for patient, events in chains(session, AuditEventRow):
        head = (patient.audit_seq, patient.audit_head)
        found = first_break(patient, events, lambda e: event_hash(e, keyring), "event", head)
        if found is not None:
            yield found
