"""The audit trail: append-only events, hash-chained per patient, and their verification.

Each event's hash covers its content and the previous event's hash, and the patient row keeps
the head (sequence number and hash), so an edited, deleted or truncated event is detected by
`verify_chains` (ARCHITECTURE "the record is the truth").
"""

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from json.encoder import c_make_encoder, encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from .patients import Patient
from .tables import AuditEventRow, PatientRow

__all__ = [
    "EVENT_COLUMNS",
    "ChainBreak",
    "ChainHead",
    "append_event",
    "canonical_json",
    "chained_events",
    "chains",
    "instant_text",
    "next_event",
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


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=_plain)
"""`canonical_json`'s encoder built once (``json.dumps`` builds one per call)."""


def _spelling() -> Callable[[Any], str]:
    """`canonical_json` with its C encoder made once rather than per call (as
    ``JSONEncoder.iterencode`` does), for writers that spell many payloads."""
    if c_make_encoder is None:
        return _CANONICAL.encode
    chunks = c_make_encoder(
        None, _plain, encode_basestring_ascii, None, ":", ",", True, False, True
    )

    def spell(value: Any) -> str:
        return "".join(chunks(value, 0))

    return spell


_spell = _spelling()


def _json_value(value: object) -> str:
    """One value as `canonical_json` spells it inside a payload."""
    if isinstance(value, str):
        return encode_basestring_ascii(value)
    if value is None:
        return "null"
    if isinstance(value, datetime | date):
        return encode_basestring_ascii(value.isoformat())
    return _spell(value)


def _digest(row: Any) -> str:
    """The hash of an event (a row, or the plain values of one) chained to the one before."""
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


@dataclass
class ChainHead:
    """Where a patient's chain ends: the patient row's ``audit_seq`` and ``audit_head``."""

    patient_id: int
    seq: int
    hash: str


@dataclass(frozen=True)
class _Event:
    patient_id: int
    seq: int
    kind: str
    actor: str
    role: str
    clinical_on: date | None
    recorded_at: datetime
    pathway_version: str
    payload: str
    prev_hash: str


_INSERT_EVENT = insert(AuditEventRow.__table__)  # type: ignore[attr-defined]


def next_event(
    head: ChainHead,
    *,
    kind: str,
    actor: str,
    role: str,
    recorded_at: datetime,
    pathway_version: str,
    payload: dict[str, Any],
    clinical_on: date | None = None,
) -> dict[str, Any]:
    """The columns of the event that follows ``head``, hash included; ``head`` moves on.
    Bulk writers (the daily run, the bulk import) insert these as plain rows."""
    event = _Event(
        head.patient_id,
        head.seq + 1,
        kind,
        actor,
        role,
        clinical_on,
        recorded_at,
        pathway_version,
        canonical_json(payload),
        head.hash or GENESIS,
    )
    digest = _digest(event)
    head.seq, head.hash = event.seq, digest
    return {**event.__dict__, "hash": digest}


def append_event(
    session: Session,
    patient: Patient,
    *,
    kind: str,
    actor: str,
    role: str,
    recorded_at: datetime,
    pathway_version: str,
    payload: dict[str, Any],
    clinical_on: date | None = None,
) -> None:
    """Append one event to the patient's chain and move the head on ``patient`` (written
    with the patient's other changes, `persistence.patients.write_patient`).

    The event is inserted at once as a plain row (the chain's unique ``seq`` still catches a
    concurrent writer): audit rows are never changed, so holding them as ORM objects would
    only cost the use case time."""
    assert patient.id is not None
    head = ChainHead(patient.id, patient.audit_seq, patient.audit_head)
    session.execute(
        _INSERT_EVENT,
        next_event(
            head,
            kind=kind,
            actor=actor,
            role=role,
            recorded_at=recorded_at,
            pathway_version=pathway_version,
            payload=payload,
            clinical_on=clinical_on,
        ),
    )
    patient.audit_seq = head.seq
    patient.audit_head = head.hash


EVENT_COLUMNS = (
    "patient_id",
    "seq",
    "kind",
    "actor",
    "role",
    "clinical_on",
    "recorded_at",
    "pathway_version",
    "payload",
    "prev_hash",
    "hash",
)
"""The columns of an audit event as `chained_events` gives them (the id is the database's)."""


def chained_events(
    head: ChainHead,
    notes: Iterable[tuple[str, dict[str, Any], date | None, datetime]],
    *,
    actor: str,
    role: str,
    pathway_version: str,
) -> list[tuple[Any, ...]]:
    """The events that follow ``head``, one per note ``(kind, payload, clinical_on,
    recorded_at)``, as tuples in `EVENT_COLUMNS` order; ``head`` moves on.

    The same events, hashes included, as `next_event` called note by note (for bulk writers
    that insert tuples through the driver): one encoder, no intermediate objects."""
    encode, string = _spell, encode_basestring_ascii
    sha256 = hashlib.sha256
    patient_id, seq, previous = head.patient_id, head.seq, head.hash or GENESIS
    # The material `_digest` hashes, spelled as `canonical_json` spells it (keys sorted), with
    # what is the same for every event spelled once.
    opening = f'{{"actor":{_json_value(actor)},"clinical_on":'
    middle = (
        f',"pathway_version":{_json_value(pathway_version)}'
        f',"patient_id":{_json_value(patient_id)},"payload":'
    )
    closing = f',"role":{_json_value(role)},"seq":'
    kinds: dict[str, str] = {}
    seconds: dict[tuple[int, int, int, int], str] = {}
    events: list[tuple[Any, ...]] = []
    for kind, payload, clinical_on, recorded_at in notes:
        seq += 1
        text = encode(payload)
        if recorded_at.tzinfo is UTC:  # `instant_text`, each second spelt once
            second = (
                recorded_at.toordinal(),
                recorded_at.hour,
                recorded_at.minute,
                recorded_at.second,
            )
            spelt_second = seconds.get(second)
            if spelt_second is None:
                spelt_second = seconds[second] = instant_text(recorded_at)[:20]
            instant = f"{spelt_second}{recorded_at.microsecond:06d}"
        else:
            instant = instant_text(recorded_at)
        spelt = kinds.get(kind)
        if spelt is None:
            spelt = kinds[kind] = _json_value(kind)
        material = (
            f'{opening}{_json_value(clinical_on)},"kind":{spelt}{middle}{string(text)}'
            f',"prev_hash":{string(previous)},"recorded_at":"{instant}"{closing}{seq}}}'
        )
        digest = sha256(material.encode("utf-8")).hexdigest()
        events.append(
            (
                patient_id,
                seq,
                kind,
                actor,
                role,
                clinical_on,
                recorded_at,
                pathway_version,
                text,
                previous,
                digest,
            )
        )
        previous = digest
    if events:
        head.seq, head.hash = seq, previous
    return events


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
