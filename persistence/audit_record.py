"""The rows an audit event wrote, in the one spelling the writer and `audit verify` share.

An audit chain that only says *what happened* cannot see a row changed behind its back: an
observation's FVC raised by twenty points leaves every event intact. So each event carries the
rows it wrote, one canonical line per row, and `audit verify` rebuilds every clinical table
from the chain and compares. A line is ``["+", table, id, [values]]`` for a row written whole
(the values in the table's `checked_columns` order) or ``["~", table, id, {column: value}]``
for columns of a row set later (a task closed, an alert acknowledged, the patient's state).

Lines are joined by newlines (canonical JSON never holds a raw one), so a verifier compares
a row of an append-only table with its line as text, without parsing the event.
"""

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, Integer, Table
from sqlmodel import SQLModel

from .audit_chain import canonical_json, instant_text
from .tables import CLINICAL_TABLES
from .types import UTCDateTime

__all__ = [
    "APPEND_ONLY",
    "NOT_CHECKED",
    "RECORD_TABLES",
    "UPDATABLE",
    "checked_columns",
    "insert_line",
    "insert_lines",
    "json_plain",
    "plain_row",
    "update_line",
]

UPDATABLE = ("patient", "alert", "care_task")
"""Tables whose rows later events change (``~`` lines)."""

APPEND_ONLY = tuple(name for name in CLINICAL_TABLES if name not in (*UPDATABLE, "audit_event"))
"""Tables whose rows are written once and never changed."""

RECORD_TABLES = ("patient", *APPEND_ONLY, *UPDATABLE[1:])
"""Every table an event's lines write (the patient first: the others name it)."""

NOT_CHECKED: dict[str, frozenset[str]] = {
    "patient": frozenset(
        {
            "id",
            "external_id_folded",
            "audit_seq",
            "audit_head",
            "version",
            "last_evaluated_on",
            "quiet_until",
            "quiet_version",
            "quiet_basis",
        }
    ),
}
"""Columns that are not the record: the id as ids are compared (derived from
``external_id``, which the line holds: revision 0021 added it without changing any line), the
chain's own head (verified as the chain), the row version, and the daily run's bookkeeping of
when a patient needs judging again (a wrong value there only makes the run judge a patient
sooner or later; it never changes what is shown)."""

Converter = Callable[[Any], Any]


def _as_date(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _as_instant(value: Any) -> Any:
    return instant_text(value) if isinstance(value, datetime) else value


def json_plain(value: Any) -> Any:
    """A JSON value with every whole float as an integer: the databases disagree on whether
    ``60.0`` comes back as ``60`` or ``60.0``, and the line must not."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [json_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: json_plain(item) for key, item in value.items()}
    return value


def _converter(column: Any) -> Converter | None:
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return _as_instant
    if isinstance(kind, Date):
        return _as_date
    if isinstance(kind, Float):
        return float
    if isinstance(kind, Boolean):
        return bool
    if isinstance(kind, Integer):
        return int
    if isinstance(kind, JSON):
        return json_plain
    return None


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


_CHECKED: dict[str, tuple[tuple[str, Converter | None], ...]] = {}


def checked_columns(table: str) -> tuple[tuple[str, Converter | None], ...]:
    """The columns of ``table`` a line carries (all but its id, its patient, which the chain
    names, and `NOT_CHECKED`), sorted, each with how its value is spelled."""
    found = _CHECKED.get(table)
    if found is None:
        skipped = NOT_CHECKED.get(table, frozenset()) | {"id", "patient_id"}
        found = tuple(
            (column.key, _converter(column))
            for column in sorted(_table(table).columns, key=lambda c: c.key)
            if column.key not in skipped
        )
        _CHECKED[table] = found
    return found


def _spelt(convert: Converter | None, value: Any) -> Any:
    return value if value is None or convert is None else convert(value)


def plain_row(table: str, row: Mapping[str, Any]) -> list[Any]:
    """A row's checked values, spelled as a line holds them (a missing column is null)."""
    return [_spelt(convert, row.get(name)) for name, convert in checked_columns(table)]


def insert_line(table: str, row_id: int, row: Mapping[str, Any]) -> str:
    """The line of a row written whole."""
    return canonical_json(["+", table, row_id, plain_row(table, row)])


def insert_lines(table: str, ids: list[int], columns: Mapping[str, list[Any]]) -> list[str]:
    """The lines of a batch of rows written whole, given column by column (as the writer
    writes a bulk import's thousands of rows: spelled a column at a time)."""
    count = len(ids)
    spelt: list[list[Any]] = []
    for name, convert in checked_columns(table):
        values = columns.get(name)
        if values is None:
            spelt.append([None] * count)
        elif convert is None:
            spelt.append(values)
        else:
            spelt.append([None if v is None else convert(v) for v in values])
    head = f'["+","{table}",'
    encode = canonical_json
    return [
        f"{head}{row_id},{encode(list(values))}]"
        for row_id, values in zip(ids, zip(*spelt, strict=True), strict=True)
    ]


def update_line(table: str, row_id: int, values: Mapping[str, Any]) -> str | None:
    """The line of columns of a row set later (None when none of them is checked)."""
    spelt = {
        name: _spelt(convert, values[name])
        for name, convert in checked_columns(table)
        if name in values
    }
    return canonical_json(["~", table, row_id, spelt]) if spelt else None
