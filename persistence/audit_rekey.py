"""Bring chains made before the audit key (unkeyed SHA-256, events without their rows) under
it: verified first, signed again, and bound to the record as it stands.

Run once, by migration 0014. A chain that does not verify as it was written stops the upgrade,
naming the patients: signing it would launder whatever was done to it.
"""

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, inspect, select, text
from sqlmodel import SQLModel

from .audit_chain import GENESIS, canonical_json, event_material, instant_text
from .audit_key import AuditKeyring, load_keyring
from .audit_record import RECORD_TABLES, insert_line
from .record_views import view_hash

__all__ = [
    "REKEY_ACTOR",
    "REKEY_KIND",
    "AuditChainBroken",
    "rekey_chains",
    "unkey_chains",
    "verify_chains_as_written",
]

REKEY_KIND = "audit_keyed"
"""The event that closes a patient's re-keyed chain and records its rows as they stood."""
REKEY_ACTOR = "ildpath-migration"


class AuditChainBroken(RuntimeError):
    """A chain made before the key does not verify: it is not signed again."""


def _legacy_event_hash(row: Any) -> str:
    material = {
        "patient_id": row.patient_id,
        "seq": row.seq,
        "kind": row.kind,
        "actor": row.actor,
        "role": row.role,
        "clinical_on": row.clinical_on,
        "recorded_at": _instant(row.recorded_at),
        "pathway_version": row.pathway_version,
        "payload": row.payload,
        "prev_hash": row.prev_hash,
    }
    return hashlib.sha256(canonical_json(material).encode()).hexdigest()


def _legacy_view_hash(row: Any) -> str:
    material = {
        "patient_id": row.patient_id,
        "seq": row.seq,
        "actor": row.actor,
        "role": row.role,
        "via": row.via,
        "what": row.what,
        "viewed_at": _instant(row.viewed_at),
        "prev_hash": row.prev_hash,
    }
    return hashlib.sha256(canonical_json(material).encode()).hexdigest()


def _instant(value: Any) -> str:
    """An instant as the chainer spells it, whether the driver gave text or a datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return instant_text(value)


def _day(value: Any) -> Any:
    if isinstance(value, str):
        return datetime.fromisoformat(value).date()
    return value


def _broken(links: Sequence[Any], digest: Any, head: tuple[int, str] | None) -> str | None:
    previous = GENESIS
    for expected, link in enumerate(links, start=1):
        if link.seq != expected or link.prev_hash != previous or digest(link) != link.hash:
            return f"link {expected}"
        previous = link.hash
    if head is not None and (len(links) != head[0] or previous != (head[1] or GENESIS)):
        return "its end (the patient's head)"
    return None


def _patient_rows(connection: Connection, patient_id: int) -> list[str]:
    """Every row of the patient's record, as `insert_line` spells it (the columns the
    database has; one a later migration adds reads as empty)."""
    lines: list[str] = []
    present = inspect(connection)
    for name in RECORD_TABLES:
        table = SQLModel.metadata.tables[name]
        have = {column["name"] for column in present.get_columns(name)}
        columns = [column for column in table.columns if column.key in have]
        key = table.c.id if name == "patient" else table.c.patient_id
        rows = connection.execute(
            select(*columns).where(key == patient_id).order_by(table.c.id)
        ).mappings()
        lines.extend(insert_line(name, row["id"], dict(row)) for row in rows)
    return lines


def _chains_as_written(
    connection: Connection,
) -> tuple[list[Any], dict[int, list[Any]], dict[int, list[Any]]]:
    events = connection.execute(
        text(
            "select id, patient_id, seq, kind, actor, role, clinical_on, recorded_at, "
            "pathway_version, payload, prev_hash, hash from audit_event order by patient_id, seq"
        )
    ).all()
    views = connection.execute(
        text(
            "select id, patient_id, seq, actor, role, via, what, viewed_at, prev_hash, hash "
            "from record_view order by patient_id, seq"
        )
    ).all()
    patients = connection.execute(
        text("select id, external_id, audit_seq, audit_head, pathway_version from patient")
    ).all()
    by_patient: dict[int, list[Any]] = {}
    for event in events:
        by_patient.setdefault(event.patient_id, []).append(event)
    views_of: dict[int, list[Any]] = {}
    for view in views:
        views_of.setdefault(view.patient_id, []).append(view)
    return list(patients), by_patient, views_of


def verify_chains_as_written(connection: Connection) -> None:
    """Raise `AuditChainBroken`, naming each patient, when a chain made before the key does
    not verify as it was written (run before the migration changes anything)."""
    patients, by_patient, views_of = _chains_as_written(connection)
    broken = []
    for patient in patients:
        head = (patient.audit_seq, patient.audit_head)
        problem = _broken(by_patient.get(patient.id, []), _legacy_event_hash, head)
        if problem is None:
            problem = _broken(views_of.get(patient.id, []), _legacy_view_hash, None)
        if problem is not None:
            broken.append(f"{patient.external_id} (at {problem})")
    if broken:
        raise AuditChainBroken(
            "the audit chains of these patients do not verify as written, so they are not "
            f"signed with the audit key: {', '.join(broken)}. Restore the database from a "
            "backup that verifies (`ildpath audit verify` with the previous version), then "
            "upgrade again."
        )


def rekey_chains(connection: Connection, keyring: AuditKeyring | None = None) -> int:
    """Verify every chain as written before the key, sign it again with ``keyring`` (default:
    `load_keyring`), and close each patient's with an event recording its rows; how many
    patients were re-keyed."""
    verify_chains_as_written(connection)
    patients, by_patient, views_of = _chains_as_written(connection)
    if not patients:
        return 0
    keyring = keyring or load_keyring()
    now = datetime.now(UTC)
    for patient in patients:
        _rekey_patient(connection, keyring, patient, by_patient.get(patient.id, []), now)
        _rekey_views(connection, keyring, views_of.get(patient.id, []))
    return len(patients)


def _rekey_patient(
    connection: Connection,
    keyring: AuditKeyring,
    patient: Any,
    events: Iterable[Any],
    now: datetime,
) -> None:
    previous, seq = GENESIS, 0
    key_id = keyring.current
    signed = []
    for event in events:
        material = {
            **event._mapping,
            "clinical_on": _day(event.clinical_on),
            "recorded_at": _instant(event.recorded_at),
            "record": "",
            "key_id": key_id,
            "prev_hash": previous,
        }
        digest = keyring.sign(event_material(material), key_id)
        signed.append({"i": event.id, "k": key_id, "p": previous, "h": digest})
        previous, seq = digest, event.seq
    if signed:
        connection.execute(
            text("update audit_event set key_id = :k, prev_hash = :p, hash = :h where id = :i"),
            signed,
        )
    payload = canonical_json(
        {"migration": "0014", "events_signed_again": len(signed), "before": "sha256"}
    )
    record = "\n".join(_patient_rows(connection, patient.id))
    seq += 1
    material = {
        "patient_id": patient.id,
        "seq": seq,
        "kind": REKEY_KIND,
        "actor": REKEY_ACTOR,
        "role": "system",
        "clinical_on": None,
        "recorded_at": instant_text(now),
        "pathway_version": patient.pathway_version,
        "payload": payload,
        "record": record,
        "key_id": key_id,
        "prev_hash": previous,
    }
    digest = keyring.sign(event_material(material), key_id)
    connection.execute(
        insert(SQLModel.metadata.tables["audit_event"]).values(
            **{**material, "recorded_at": now, "hash": digest}
        )
    )
    connection.execute(
        text("update patient set audit_seq = :s, audit_head = :h where id = :i"),
        {"s": seq, "h": digest, "i": patient.id},
    )


def _rekey_views(connection: Connection, keyring: AuditKeyring, views: Iterable[Any]) -> None:
    previous = GENESIS
    key_id = keyring.current
    signed = []
    for view in views:
        digest = view_hash(_Link({**view._mapping, "key_id": key_id}, previous), keyring)  # type: ignore[arg-type]
        signed.append({"i": view.id, "k": key_id, "p": previous, "h": digest})
        previous = digest
    if signed:
        connection.execute(
            text("update record_view set key_id = :k, prev_hash = :p, hash = :h where id = :i"),
            signed,
        )


def unkey_chains(connection: Connection) -> None:
    """Migration 0014's downgrade: every chain hashed again as releases before the key
    hashed it (without the key and the rows), so the older release verifies it; upgrading
    again signs it anew. Only what the downgrade drops is lost: the rows each event
    carried."""
    events = connection.execute(
        text(
            "select id, patient_id, seq, kind, actor, role, clinical_on, recorded_at, "
            "pathway_version, payload from audit_event order by patient_id, seq"
        )
    ).all()
    views = connection.execute(
        text(
            "select id, patient_id, seq, actor, role, via, what, viewed_at from record_view "
            "order by patient_id, seq"
        )
    ).all()
    heads: dict[int, tuple[int, str]] = {}
    for rows, table, digest in (
        (events, "audit_event", _legacy_event_hash),
        (views, "record_view", _legacy_view_hash),
    ):
        hashed = []
        previous, patient = GENESIS, None
        for row in rows:
            if row.patient_id != patient:
                previous, patient = GENESIS, row.patient_id
            link = _Link(row._mapping, previous)
            hashed.append({"i": row.id, "p": previous, "h": digest(link)})
            previous = hashed[-1]["h"]
            if table == "audit_event":
                heads[row.patient_id] = (row.seq, previous)
        if hashed:
            connection.execute(
                text(f"update {table} set prev_hash = :p, hash = :h where id = :i"),
                hashed,
            )
    if heads:
        connection.execute(
            text("update patient set audit_seq = :s, audit_head = :h where id = :i"),
            [{"s": s, "h": h, "i": i} for i, (s, h) in heads.items()],
        )


class _Link:
    """A stored link's values with the previous hash it will follow."""

    def __init__(self, values: Any, previous: str) -> None:
        self.__dict__.update(values)
        self.prev_hash = previous
