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

from sqlalchemy import JSON, Boolean, Connection, Date, Float, select
from sqlmodel import SQLModel

from .audit_chain import EVENT_FIELDS, GENESIS, canonical_json, event_material_of, instant_text
from .audit_findings import Finding
from .audit_key import AuditKeyError, AuditKeyring
from .audit_record import RECORD_TABLES, UPDATABLE, Converter, checked_columns, json_plain
from .types import UTCDateTime

__all__ = ["SliceChecked", "check_patients", "patient_id_range"]

_EVENT_COLUMNS = (*EVENT_FIELDS, "hash", "id")
"""What the verifier reads of an event: what its signature covers, the signature, its row."""


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


def _sqlite_instant(value: Any) -> Any:
    """SQLite keeps an instant as ``YYYY-MM-DD HH:MM:SS.ffffff`` UTC text (SQLAlchemy's
    format): the line's spelling but for the ``T``."""
    return value.replace(" ", "T", 1) if isinstance(value, str) else instant_text(value)


def _sqlite_json(value: Any) -> Any:
    return json_plain(json.loads(value)) if isinstance(value, str) else json_plain(value)


class _Spelling:
    """How the bare driver's values become a line's (SQLite answers text for days and
    instants, PostgreSQL answers objects): reading without SQLAlchemy's result processing
    is what keeps verification within a few times the bare read."""

    def __init__(self, dialect: str) -> None:
        self.sqlite = dialect == "sqlite"
        self.marker = "?" if self.sqlite else "%s"
        self.instant: Converter = _sqlite_instant if self.sqlite else instant_text
        self.day: Converter = str

    def converters(self, table: str) -> list[Converter | None]:
        found: list[Converter | None] = []
        for name, convert in checked_columns(table):
            kind = _table(table).c[name].type
            if isinstance(kind, UTCDateTime):
                found.append(self.instant)
            elif isinstance(kind, Date):
                found.append(None if self.sqlite else self.day)
            elif isinstance(kind, JSON):
                found.append(_sqlite_json if self.sqlite else json_plain)
            elif isinstance(kind, Float | Boolean):
                found.append(convert)
            else:
                found.append(None)
        return found


def patient_id_range(connection: Connection) -> tuple[int, int]:
    """The lowest and highest patient id any table of the record names (a row of a deleted
    patient is still checked), or (1, 0) when there is none."""
    from sqlalchemy import func, union_all

    parts = [select(func.min(_table("patient").c.id), func.max(_table("patient").c.id))]
    for name in ("audit_event", *RECORD_TABLES[1:]):
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


def _spelt_rows(
    cursor: Any, spelling: _Spelling, name: str, low: int, high: int
) -> Iterator[tuple[int, int, list[Any]]]:
    """The rows of ``name`` for patients ``low``..``high``: (patient id, row id, values in
    the line's spelling)."""
    owner = "id" if name == "patient" else "patient_id"
    columns = ", ".join(f'"{column}"' for column, _ in checked_columns(name))
    m = spelling.marker
    cursor.execute(
        f'SELECT "{owner}", "id", {columns} FROM "{name}" '
        f'WHERE "{owner}" BETWEEN {m} AND {m} ORDER BY "{owner}", "id"',
        (low, high),
    )
    converters = spelling.converters(name)
    pairs = [(k, convert) for k, convert in enumerate(converters, start=2) if convert is not None]
    for row in cursor:
        values = list(row[2:])
        for k, convert in pairs:
            value = row[k]
            if value is not None:
                values[k - 2] = convert(value)
        yield row[0], row[1], values


def check_patients(
    connection: Connection, keyring: AuditKeyring, low: int, high: int
) -> SliceChecked:
    """Check the chains of patients ``low``..``high`` and rebuild their rows from them."""
    checked = SliceChecked()
    spelling = _Spelling(connection.dialect.name)
    cursor: Any = connection.connection.cursor()
    m = spelling.marker
    cursor.execute(
        f"SELECT id, external_id, audit_seq, audit_head FROM patient WHERE id BETWEEN {m} AND {m}",
        (low, high),
    )
    patients: dict[int, str] = {}
    heads: dict[int, tuple[int, str]] = {}
    for patient_id, external_id, seq, head in cursor.fetchall():
        patients[patient_id] = external_id
        heads[patient_id] = (seq, head)
    checked.patients = len(patients)
    expected: dict[int, _Expected] = {}
    columns = ", ".join(f'"{name}"' for name in _EVENT_COLUMNS)
    cursor.execute(
        f"SELECT {columns} FROM audit_event WHERE patient_id BETWEEN {m} AND {m} "
        "ORDER BY patient_id, seq",
        (low, high),
    )
    chain: list[Any] = []
    current: int | None = None
    for event in cursor:
        checked.events += 1
        if event[0] != current:
            if current is not None:
                _close_chain(checked, patients, heads, current, chain, keyring, expected, spelling)
            current, chain = event[0], []
        chain.append(event)
    if current is not None:
        _close_chain(checked, patients, heads, current, chain, keyring, expected, spelling)
    for patient_id in patients.keys() - expected.keys():
        _close_chain(checked, patients, heads, patient_id, [], keyring, expected, spelling)
    for name in RECORD_TABLES:
        _compare_table(checked, cursor, spelling, name, low, high, patients, expected)
    cursor.close()
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
    spelling: _Spelling,
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
                event, expected_seq, previous, keyring, who or f"id {patient_id}", spelling
            )
        previous = event[12]
        wanted.replay(event[9])
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
    event: Any,
    expected_seq: int,
    previous: str,
    keyring: AuditKeyring,
    who: str,
    spelling: _Spelling,
) -> Finding | None:
    """What is wrong with one link (an event row in `_EVENT_COLUMNS` order), if anything."""
    (patient_id, seq, kind, actor, role, on, at, version, payload, record, key_id, prev, digest) = (
        event[:13]
    )
    if seq != expected_seq:
        return Finding(
            "events", f"event {expected_seq} is missing (deleted)", who, seq=expected_seq
        )
    if prev != previous:
        return Finding("events", "event does not follow the previous event", who, seq=seq)
    material = event_material_of(
        patient_id,
        seq,
        kind,
        actor,
        role,
        on,
        spelling.instant(at),
        version,
        payload,
        record,
        key_id,
        prev,
    )
    try:
        signed = keyring.sign(material, key_id)
    except AuditKeyError as error:
        return Finding("events", str(error), who, seq=seq)
    if signed != digest:
        return Finding(
            "events",
            "event content does not match its signature (altered, or re-hashed without the key)",
            who,
            seq=seq,
        )
    return None


def _compare_table(
    checked: SliceChecked,
    cursor: Any,
    spelling: _Spelling,
    name: str,
    low: int,
    high: int,
    patients: Mapping[int, str],
    expected: dict[int, _Expected],
) -> None:
    updatable = name in _UPDATABLE
    names = tuple(column for column, _ in checked_columns(name))
    prefix = f'["+","{name}",'
    for patient_id, row_id, values in _spelt_rows(cursor, spelling, name, low, high):
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
