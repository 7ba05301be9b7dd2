"""The audit trail: append-only events, hash-chained per patient, and their verification.

Each event's hash covers its content and the previous event's hash, and the patient row keeps
the head (sequence number and hash), so an edited, deleted or truncated event is detected by
`verify_chains` (ARCHITECTURE "the record is the truth").
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session, col, select

from .tables import AuditEventRow, PatientRow

__all__ = [
    "ChainBreak",
    "append_event",
    "canonical_json",
    "chains",
    "instant_text",
    "verify_chains",
]

GENESIS = "0" * 64


def canonical_json(payload: dict[str, Any]) -> str:
    """One spelling of a payload, so its hash is reproducible on any database."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=_plain)


def _plain(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {value!r}")


def _digest(row: AuditEventRow) -> str:
    material = canonical_json(
        {
            "patient_id": row.patient_id,
            "seq": row.seq,
            "kind": row.kind,
            "actor": row.actor,
            "role": row.role,
            "clinical_on": row.clinical_on,
            "recorded_at": instant_text(row.recorded_at),
            "pathway_version": row.pathway_version,
            "payload": row.payload,
            "prev_hash": row.prev_hash,
        }
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def instant_text(value: datetime) -> str:
    """Microsecond UTC text, identical whether the database returned it aware or naive."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(timespec="microseconds")


def append_event(
    session: Session,
    patient: PatientRow,
    *,
    kind: str,
    actor: str,
    role: str,
    recorded_at: datetime,
    pathway_version: str,
    payload: dict[str, Any],
    clinical_on: date | None = None,
) -> AuditEventRow:
    """Append one event to the patient's chain and move the head on the patient row."""
    assert patient.id is not None
    row = AuditEventRow(
        patient_id=patient.id,
        seq=patient.audit_seq + 1,
        kind=kind,
        actor=actor,
        role=role,
        clinical_on=clinical_on,
        recorded_at=recorded_at,
        pathway_version=pathway_version,
        payload=canonical_json(payload),
        prev_hash=patient.audit_head or GENESIS,
        hash="",
    )
    row.hash = _digest(row)
    patient.audit_seq = row.seq
    patient.audit_head = row.hash
    session.add(row)
    return row


@dataclass(frozen=True)
class ChainBreak:
    """The first event at which a patient's chain no longer holds, and why."""

    patient_id: int
    external_id: str
    seq: int
    event_id: int | None
    problem: str


def _first_break(patient: PatientRow, events: list[AuditEventRow]) -> ChainBreak | None:
    assert patient.id is not None

    def broken(seq: int, event_id: int | None, problem: str) -> ChainBreak:
        return ChainBreak(patient.id or 0, patient.external_id, seq, event_id, problem)

    previous = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            return broken(expected_seq, event.id, f"event {expected_seq} is missing (deleted)")
        if event.prev_hash != previous:
            return broken(event.seq, event.id, "does not follow the previous event")
        if _digest(event) != event.hash:
            return broken(event.seq, event.id, "content does not match its hash (altered)")
        previous = event.hash
    if len(events) != patient.audit_seq or previous != (patient.audit_head or GENESIS):
        seq = len(events) + 1
        return broken(
            seq,
            None,
            f"chain ends at event {len(events)} but the patient's head is "
            f"event {patient.audit_seq} (events deleted from the end)",
        )
    return None


def chains(session: Session, table: Any) -> Iterator[tuple[PatientRow, list[Any]]]:
    """Each patient with its rows of ``table`` (a per-patient chain with ``seq``), in order."""
    for patient in session.exec(select(PatientRow).order_by(col(PatientRow.id))):
        rows = session.exec(
            select(table).where(table.patient_id == patient.id).order_by(col(table.seq))
        )
        yield patient, list(rows)


def verify_chains(session: Session) -> Iterator[ChainBreak]:
    """The first break of every patient whose chain is not intact (nothing when all are)."""
    for patient, events in chains(session, AuditEventRow):
        found = _first_break(patient, events)
        if found is not None:
            yield found
