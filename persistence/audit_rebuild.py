"""Each patient's audit chain checked link by link, and the clinical tables rebuilt from it.

The chain says which rows each event wrote (`persistence.audit_record`); replaying it gives
every row the record should hold, which is compared with every row the tables do hold. A row
changed with SQL differs, a deleted one is missing, one inserted behind the application's back
has no event: each is named by patient, table and id.

Patients are checked a slice at a time (every table read once per slice, in id order), so a
database of any size is verified in bounded memory, and slices can be shared among processes.
"""

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select
from sqlmodel import SQLModel

from .audit_chain import GENESIS, canonical_json, event_material, instant_text
from .audit_findings import Finding
from .audit_key import AuditKeyError, AuditKeyring
from .audit_record import APPEND_ONLY, UPDATABLE, checked_columns

__all__ = ["SliceChecked", "check_patients", "patient_id_range"]

_EVENT_COLUMNS = (
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
    "hash",
    "id",
)


@dataclass
class SliceChecked:
    """What one slice of patients gave: its findings and how much was read."""

    findings: list[Finding] = field(default_factory=list)
    patients: int = 0
    events: int = 0
    rows: int = 0

    def add(self, other: "SliceChecked") -> None:
        self.findings.extend(other.findings)
        self.patients += other.patients
        self.events += other.events
        self.rows += other.rows


def _table(name: str) -> Any:
    return SQLModel.metadata.tables[name]


def patient_id_range(connection: Connection) -> tuple[int, int]:
    """The lowest and highest patient id any table of the record names (a row of a deleted
    patient is still checked), or (1, 0) when there is none."""
    from sqlalchemy import func, union_all

    parts = [select(func.min(_table("patient").c.id), func.max(_table("patient").c.id))]
    for name in ("audit_event", *APPEND_ONLY, *UPDATABLE[1:]):
        column = _table(name).c.patient_id
        parts.append(select(func.min(column), func.max(column)))
    lows, highs = [], []
    for low, high in connection.execute(union_all(*parts)):
        if low is not None:
            lows.append(low)
            highs.append(high)
    return (min(lows), max(highs)) if lows else (1, 0)


class _Expected:
    """The rows one patient's chain says the record holds."""

    __slots__ = ("lines", "values")

    def __init__(self) -> None:
        self.lines: dict[tuple[str, int], str] = {}
        """Rows of append-only tables: their line, compared as text."""
        self.values: dict[tuple[str, int], dict[str, Any]] = {}
        """Rows of tables later events change: their columns, merged event by event."""

    def replay(self, record: str) -> None:
        if not record:
            return
        for line in record.split("\n"):
            op, table, row_id, _ = line.split(",", 3)
            name = table[1:-1]
            key = (name, int(row_id))
            if name in _UPDATABLE:
                values = json.loads(line)[3]
                if op == '["+"':
                    names = _NAMES[name]
                    self.values[key] = dict(zip(names, values, strict=True))
                else:
                    self.values.setdefault(key, {}).update(values)
            else:
                self.lines[key] = line


_UPDATABLE = frozenset(UPDATABLE)
_NAMES = {name: tuple(column for column, _ in checked_columns(name)) for name in UPDATABLE}


def _spelt_rows(connection: Connection, name: str, low: int, high: int) -> Iterator[Any]:
    """The rows of ``name`` for patients ``low``..``high``: (patient id, row id, values in
    the line's spelling)."""
    table = _table(name)
    checked = checked_columns(name)
    owner = table.c.id if name == "patient" else table.c.patient_id
    columns = [owner, table.c.id, *(table.c[column] for column, _ in checked)]
    converters = [convert for _, convert in checked]
    query = select(*columns).where(owner.between(low, high)).order_by(owner, table.c.id)
    for row in connection.execute(query):
        values = [
            value if value is None or convert is None else convert(value)
            for value, convert in zip(row[2:], converters, strict=True)
        ]
        yield row[0], row[1], values


def check_patients(
    connection: Connection, keyring: AuditKeyring, low: int, high: int
) -> SliceChecked:
    """Check the chains of patients ``low``..``high`` and rebuild their rows from them."""
    checked = SliceChecked()
    patients = {
        row.id: row.external_id
        for row in connection.execute(
            select(_table("patient").c.id, _table("patient").c.external_id).where(
                _table("patient").c.id.between(low, high)
            )
        )
    }
    heads = {
        row.id: (row.audit_seq, row.audit_head)
        for row in connection.execute(
            select(
                _table("patient").c.id,
                _table("patient").c.audit_seq,
                _table("patient").c.audit_head,
            ).where(_table("patient").c.id.between(low, high))
        )
    }
    checked.patients = len(patients)
    expected: dict[int, _Expected] = {}
    events = _table("audit_event")
    query = (
        select(*(events.c[name] for name in _EVENT_COLUMNS))
        .where(events.c.patient_id.between(low, high))
        .order_by(events.c.patient_id, events.c.seq)
    )
    chain: list[Any] = []
    current: int | None = None
    for event in connection.execute(query):
        checked.events += 1
        if event.patient_id != current:
            if current is not None:
                _close_chain(checked, patients, heads, current, chain, keyring, expected)
            current, chain = event.patient_id, []
        chain.append(event)
    if current is not None:
        _close_chain(checked, patients, heads, current, chain, keyring, expected)
    for patient_id in patients.keys() - expected.keys():
        _close_chain(checked, patients, heads, patient_id, [], keyring, expected)
    for name in ("patient", *APPEND_ONLY, *UPDATABLE[1:]):
        _compare_table(checked, connection, name, low, high, patients, expected)
    for patient_id, wanted in expected.items():
        who = patients.get(patient_id, f"id {patient_id}")
        for (name, row_id), _ in sorted([*wanted.lines.items(), *wanted.values.items()]):
            checked.findings.append(
                Finding(
                    "record",
                    "missing: the audit trail wrote this row, the table no longer has it (deleted)",
                    who,
                    name,
                    row_id,
                )
            )
    return checked


def _close_chain(
    checked: SliceChecked,
    patients: Mapping[int, str],
    heads: Mapping[int, tuple[int, str]],
    patient_id: int,
    chain: list[Any],
    keyring: AuditKeyring,
    expected: dict[int, _Expected],
) -> None:
    """Check one patient's chain link by link (the first break is reported) and replay it."""
    who = patients.get(patient_id)
    wanted = expected.setdefault(patient_id, _Expected())
    if who is None:
        checked.findings.append(
            Finding(
                "events",
                f"{len(chain)} audit events of patient id {patient_id}, who is not in the "
                "database (patient row deleted)",
                f"id {patient_id}",
            )
        )
    broken: Finding | None = None
    previous = GENESIS
    for expected_seq, event in enumerate(chain, start=1):
        if broken is None:
            broken = _link_problem(
                event, expected_seq, previous, keyring, who or f"id {patient_id}"
            )
        previous = event.hash
        wanted.replay(event.record)
    head = heads.get(patient_id)
    if (
        broken is None
        and head is not None
        and (len(chain) != head[0] or previous != (head[1] or GENESIS))
    ):
        broken = Finding(
            "events",
            f"chain ends at event {len(chain)} but the patient's head is event {head[0]} "
            "(events deleted from the end)",
            who,
            seq=len(chain) + 1,
        )
    if broken is not None:
        checked.findings.append(broken)


def _link_problem(
    event: Any, expected_seq: int, previous: str, keyring: AuditKeyring, who: str
) -> Finding | None:
    if event.seq != expected_seq:
        return Finding(
            "events", f"event {expected_seq} is missing (deleted)", who, seq=expected_seq
        )
    if event.prev_hash != previous:
        return Finding("events", "event does not follow the previous event", who, seq=event.seq)
    material = event_material(
        {
            "patient_id": event.patient_id,
            "seq": event.seq,
            "kind": event.kind,
            "actor": event.actor,
            "role": event.role,
            "clinical_on": event.clinical_on,
            "recorded_at": instant_text(event.recorded_at),
            "pathway_version": event.pathway_version,
            "payload": event.payload,
            "record": event.record,
            "key_id": event.key_id,
            "prev_hash": event.prev_hash,
        }
    )
    try:
        signed = keyring.sign(material, event.key_id)
    except AuditKeyError as error:
        return Finding("events", str(error), who, seq=event.seq)
    if signed != event.hash:
        return Finding(
            "events",
            "event content does not match its signature (altered, or re-hashed without the key)",
            who,
            seq=event.seq,
        )
    return None


def _compare_table(
    checked: SliceChecked,
    connection: Connection,
    name: str,
    low: int,
    high: int,
    patients: Mapping[int, str],
    expected: dict[int, _Expected],
) -> None:
    updatable = name in _UPDATABLE
    names = tuple(column for column, _ in checked_columns(name))
    prefix = f'["+","{name}",'
    for patient_id, row_id, values in _spelt_rows(connection, name, low, high):
        checked.rows += 1
        wanted = expected.get(patient_id)
        if wanted is None:
            wanted = expected[patient_id] = _Expected()
        key = (name, row_id)
        who = patients.get(patient_id, f"id {patient_id}")
        if updatable:
            stated = wanted.values.pop(key, None)
            if stated is not None and len(stated) == len(names):
                if list(stated.values()) == values and tuple(stated) == names:
                    continue
                stated_values = [stated.get(column) for column in names]
            else:
                stated_values = None
        else:
            line = wanted.lines.pop(key, None)
            if line is not None:
                if line == f"{prefix}{row_id},{canonical_json(values)}]":
                    continue
                stated_values = json.loads(line)[3]
            else:
                stated_values = None
        if stated_values is None:
            checked.findings.append(
                Finding(
                    "record",
                    "no audit event wrote this row (written outside the application)",
                    who,
                    name,
                    row_id,
                )
            )
            continue
        checked.findings.append(
            Finding("record", _differences(names, values, stated_values), who, name, row_id)
        )


def _differences(names: tuple[str, ...], actual: list[Any], stated: list[Any]) -> str:
    """Which columns differ, with the value held and the value the trail wrote (secrets and
    hashes are named, never shown)."""
    parts = []
    for column, held, wrote in zip(names, actual, stated, strict=True):
        if canonical_json(held) != canonical_json(wrote):
            if column.endswith("hash"):
                parts.append(f"{column} differs")
            else:
                parts.append(f"{column} is {held!r} but the audit trail wrote {wrote!r}")
    return "changed outside the application: " + "; ".join(parts or ["row differs"])
