"""The one audit chainer: the canonical form of what is signed, and the keyed hash
(HMAC-SHA-256 under the audit key, `persistence.audit_key`) that links each event to the one
before it.

Every chain (a patient's clinical audit trail, the access log, the accounts chain) is links
of this one kind, so a change to how events are spelled or signed is made here once, and
every writer (use cases, the daily run, the bulk import) and `audit verify` agree by
construction.
"""

import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from json.encoder import encode_basestring_ascii
from typing import Any, NamedTuple

from .audit_key import AuditKeyring

__all__ = [
    "EVENT_FIELDS",
    "GENESIS",
    "ChainHead",
    "EventColumns",
    "EventNote",
    "canonical_json",
    "chain_events",
    "event_hash",
    "event_material",
    "event_material_of",
    "instant_text",
    "link_hash",
]

GENESIS = "0" * 64
"""The hash a chain's first link follows."""


def _plain(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {value!r}")


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=_plain)
"""Built once: ``json.dumps`` with these options builds a new encoder on every call."""


def canonical_json(value: Any) -> str:
    """One spelling of a value (keys sorted, no spaces, days and instants in ISO form), so its
    hash is reproducible on any database and any machine."""
    return _ENCODER.encode(value)


def instant_text(value: datetime) -> str:
    """Microsecond UTC text, identical whether the database returned it aware or naive."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(timespec="microseconds")


def link_hash(material: Mapping[str, Any], keyring: AuditKeyring, key_id: str) -> str:
    """The keyed hash of one link: its canonical form (which names the previous link's
    hash) signed with the key ``key_id``."""
    return keyring.sign(canonical_json(material), key_id)


EVENT_FIELDS = (
    "patient_id",
    "seq",
    "kind",
    "actor",
    "role",
    "clinical_on",
    "recorded_at",
    "pathway_version",
    "payload",
    "record",
    "key_id",
    "prev_hash",
)
"""What a clinical audit event's hash covers (the payload and the record as their stored
canonical text)."""


def event_hash(event: Any, keyring: AuditKeyring) -> str:
    """The keyed hash of a clinical audit event: a stored row, or the plain values of one
    (anything with the `EVENT_FIELDS` as attributes or keys), under the key it names."""
    get = event.__getitem__ if isinstance(event, Mapping) else event.__getattribute__
    material = {name: get(name) for name in EVENT_FIELDS}
    material["recorded_at"] = instant_text(material["recorded_at"])
    return keyring.sign(event_material(material), material["key_id"])


@dataclass
class ChainHead:
    """Where a patient's chain ends: the patient row's ``audit_seq`` and ``audit_head``."""

    patient_id: int
    seq: int
    hash: str


class EventNote(NamedTuple):
    """One audit event to chain: what happened, to which clinical day, by whom, when."""

    kind: str
    payload: Mapping[str, Any]
    clinical_on: date | None
    actor: str
    role: str
    recorded_at: datetime
    pathway_version: str
    record: str = ""
    """The rows the event wrote (`persistence.audit_record`)."""


def event_material(event: Mapping[str, Any]) -> str:
    """The canonical form an event's hash covers: `canonical_json` of its `EVENT_FIELDS`
    (the instant as `instant_text`)."""
    return event_material_of(*(event[name] for name in EVENT_FIELDS))


_SPELT: dict[str, str] = {}
"""Texts that repeat from event to event (kinds, actors, roles, versions), spelled once."""


def _text(value: str) -> str:
    spelt = _SPELT.get(value)
    if spelt is None:  # a first time
        spelt = encode_basestring_ascii(value)
        if len(_SPELT) < 4096:
            _SPELT[value] = spelt
    return spelt


def event_material_of(
    patient_id: int,
    seq: int,
    kind: str,
    actor: str,
    role: str,
    clinical_on: date | str | None,
    recorded_at: str,
    pathway_version: str,
    payload: str,
    record: str,
    key_id: str,
    prev_hash: str,
) -> str:
    """`canonical_json` of an event's fields (`EVENT_FIELDS`, given one by one; the clinical
    day as a date or its ISO text), spelled field by field in the sorted order, as a writer
    or `audit verify` of hundreds of thousands of events needs it (a test holds the two
    equal)."""
    text = encode_basestring_ascii
    on = "null" if clinical_on is None else f'"{clinical_on}"'
    return (
        f'{{"actor":{_text(actor)},"clinical_on":{on},"key_id":{_text(key_id)},'
        f'"kind":{_text(kind)},"pathway_version":{_text(pathway_version)},'
        f'"patient_id":{patient_id:d},"payload":{text(payload)},"prev_hash":{text(prev_hash)},'
        f'"record":{text(record)},"recorded_at":{text(recorded_at)},"role":{_text(role)},'
        f'"seq":{seq:d}}}'
    )


@dataclass
class EventColumns:
    """Chained events, a list per stored column: the audit trail is the largest table a bulk
    writer fills, and is written column by column, never read back by the writer."""

    patient_id: list[int] = field(default_factory=list)
    seq: list[int] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    actor: list[str] = field(default_factory=list)
    role: list[str] = field(default_factory=list)
    clinical_on: list[date | None] = field(default_factory=list)
    recorded_at: list[datetime] = field(default_factory=list)
    pathway_version: list[str] = field(default_factory=list)
    payload: list[str] = field(default_factory=list)
    record: list[str] = field(default_factory=list)
    key_id: list[str] = field(default_factory=list)
    prev_hash: list[str] = field(default_factory=list)
    hash: list[str] = field(default_factory=list)

    def columns(self) -> dict[str, list[Any]]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def rows(self) -> list[dict[str, Any]]:
        """The events one by one (for readers and tests)."""
        columns = self.columns()
        names = tuple(columns)
        return [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def chain_events(
    head: ChainHead, notes: Iterable[EventNote], into: EventColumns, keyring: AuditKeyring
) -> None:
    """Chain the events that follow ``head``, one per note, signed with the current key,
    into ``into``; ``head`` moves on with each."""
    instant: datetime | None = None
    spelt = ""
    patient_id, seq, previous = head.patient_id, head.seq, head.hash or GENESIS
    key_id = keyring.current
    secret = keyring.secret(key_id)
    sign = hmac.digest
    for kind, payload, clinical_on, actor, role, recorded_at, version, record in notes:
        if recorded_at is not instant:  # a writer's notes share their instant
            instant, spelt = recorded_at, instant_text(recorded_at)
        seq += 1
        text = canonical_json(payload)
        material = event_material_of(
            patient_id,
            seq,
            kind,
            actor,
            role,
            clinical_on,
            spelt,
            version,
            text,
            record,
            key_id,
            previous,
        )
        digest = sign(secret, material.encode("utf-8"), "sha256").hex()
        into.patient_id.append(patient_id)
        into.seq.append(seq)
        into.kind.append(kind)
        into.actor.append(actor)
        into.role.append(role)
        into.clinical_on.append(clinical_on)
        into.recorded_at.append(recorded_at)
        into.pathway_version.append(version)
        into.payload.append(text)
        into.record.append(record)
        into.key_id.append(key_id)
        into.prev_hash.append(previous)
        into.hash.append(digest)
        previous = digest
    if seq != head.seq:
        head.seq, head.hash = seq, previous
