"""The one writer's rows into SQL (SQLite or PostgreSQL): the only code that writes the
clinical tables (`tests/test_one_writer.py` fails the suite on any other).

Each call is one statement per batch. A bulk import writes hundreds of thousands of rows, so
large inserts skip the per-row work of SQLAlchemy's execution (a parameter dictionary per
row, defaults looked up, the row's values processed one by one): the statement is compiled by
SQLAlchemy once per table and column set, each value goes through the column type's own bind
processor (once per distinct value: days, instants, numbers and codes repeat across rows),
and the driver's ``executemany`` sends the rows. Their ids are taken first: from the tables'
sequences on PostgreSQL, after the largest id under the write lock on SQLite (held to the
commit, so no other writer can take them). A small insert (a person's entry) asks for its
ids with ``RETURNING``.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import Connection, Table, bindparam, false, func, insert, select, update
from sqlalchemy.engine import Dialect
from sqlmodel import SQLModel

__all__ = ["SqlTables"]

TAKE_IDS_FROM = 1000
"""Rows from which an insert takes its ids in advance rather than by ``RETURNING``."""

_Processor = Callable[[Any], Any]


class _Insert:
    """One table's insert of a set of columns, compiled for the dialect, with the processors
    that turn each column's values into what the driver takes."""

    def __init__(self, table: Table, names: tuple[str, ...], dialect: Dialect) -> None:
        statement = insert(table).inline()
        compiled = statement.compile(dialect=_positional(dialect), column_keys=list(names))
        self.sql = str(compiled)
        self.positional = bool(compiled.positional)
        self.order = tuple(compiled.positiontup or ()) if self.positional else names
        self.processors: list[_Processor | None] = [
            table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in self.order
        ]

    def from_columns(self, given: dict[str, list[Any]]) -> list[Any]:
        """Rows given column by column as the driver takes them, converted a column at a time
        and each distinct value once (days, instants, numbers and codes repeat)."""
        columns: list[list[Any]] = []
        for name, process in zip(self.order, self.processors, strict=True):
            values = given[name]
            if process is not None:
                values = _converted(values, process)
            columns.append(values)
        if self.positional:
            return list(zip(*columns, strict=True))
        return [dict(zip(self.order, values, strict=True)) for values in zip(*columns, strict=True)]


def _converted(values: list[Any], process: _Processor) -> list[Any]:
    try:
        distinct = set(values)
    except TypeError:  # lists (JSON columns) cannot be told apart by hashing
        return list(map(process, values))
    converted = {value: process(value) for value in distinct}
    return list(map(converted.__getitem__, values))


def _positional(dialect: Dialect) -> Dialect:
    """The dialect spelling parameters by position where its driver also takes them so
    (psycopg: ``%s`` rather than ``%(name)s``): rows then go as tuples, not a dictionary
    each."""
    if dialect.positional or dialect.driver not in ("psycopg", "psycopg2"):
        return dialect
    return type(dialect)(paramstyle="format")  # type: ignore[call-arg]


_INSERTS: dict[tuple[type[Dialect], str, str, tuple[str, ...]], _Insert] = {}
"""Compiled inserts by dialect, table and columns: compiling costs a millisecond, and a
person's entry inserts a few rows."""


def _compiled(table: Table, names: tuple[str, ...], dialect: Dialect) -> _Insert:
    key = (type(dialect), dialect.paramstyle, table.name, names)
    found = _INSERTS.get(key)
    if found is None:
        found = _INSERTS[key] = _Insert(table, names, dialect)
    return found


class SqlTables:
    """Where the writer's rows go on one connection, inside the caller's transaction."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect = connection.dialect
        self._locked = False

    def _table(self, name: str) -> Table:
        return SQLModel.metadata.tables[name]

    def insert(self, table: str, columns: dict[str, list[Any]], *, ids: bool = True) -> list[int]:
        count = len(next(iter(columns.values())))
        large = count >= TAKE_IDS_FROM and self.dialect.name in ("sqlite", "postgresql")
        if ids and not large:
            statement = _built(("returning", table), lambda: _returning_ids(self._table(table)))
            rows = [
                dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)
            ]
            return [row.id for row in self.connection.execute(statement, rows)]
        taken = self._take_ids(table, count) if ids else []
        if ids:
            columns = {"id": taken, **columns}
        compiled = _compiled(self._table(table), tuple(columns), self.dialect)
        self.connection.exec_driver_sql(compiled.sql, compiled.from_columns(columns))
        return taken

    def _take_ids(self, table: str, count: int) -> list[int]:
        """``count`` ids of ``table`` that no other writer can take."""
        target = self._table(table)
        if self.dialect.name == "postgresql":
            sequence = func.pg_get_serial_sequence(table, "id")
            query = select(func.nextval(sequence)).select_from(func.generate_series(1, count))
            return sorted(self.connection.execute(query).scalars())
        if not self._locked:  # a write that changes nothing takes the lock, kept to the commit
            self.connection.execute(update(target).where(false()).values(id=target.c.id))
            self._locked = True
        top = self.connection.execute(select(func.max(target.c.id))).scalar() or 0
        return list(range(top + 1, top + 1 + count))

    def update(self, table: str, rows: list[dict[str, Any]]) -> None:
        names = tuple(name for name in rows[0] if name != "id")
        statement = _built(
            ("update", table, names), lambda: _update_by_id(self._table(table), names)
        )
        self.connection.execute(statement, [_keyed(row) for row in rows])

    def update_patients(self, rows: list[dict[str, Any]]) -> int:
        names = tuple(name for name in rows[0] if name not in ("id", "_read"))
        statement = _built(
            ("patient", names), lambda: _update_patient(self._table("patient"), names)
        )
        keyed = [_keyed(row) for row in rows]
        if self.dialect.supports_sane_multi_rowcount or len(keyed) == 1:
            return int(self.connection.execute(statement, keyed).rowcount)
        return sum(int(self.connection.execute(statement, [row]).rowcount) for row in keyed)

    def carry_quiet(self, day: date, quiet_basis: str, from_id: int) -> int:
        target = self._table("patient")
        c = target.c
        statement = (
            update(target)
            .where(
                c.id >= from_id,
                c.state != "closed",
                (c.last_evaluated_on.is_(None)) | (c.last_evaluated_on < day),
                c.quiet_until >= day,
                c.quiet_version == c.version,
                c.quiet_basis == quiet_basis,
            )
            .values(last_evaluated_on=day)
        )
        return int(self.connection.execute(statement).rowcount)


_STATEMENTS: dict[tuple[Any, ...], Any] = {}
"""Statements built once per table and column set (building one costs more than running
it for a person's entry)."""


def _built(key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    found = _STATEMENTS.get(key)
    if found is None:
        found = _STATEMENTS[key] = build()
    return found


def _returning_ids(target: Table) -> Any:
    return insert(target).returning(target.c.id, sort_by_parameter_order=True)


def _update_by_id(target: Table, names: tuple[str, ...]) -> Any:
    return (
        update(target)
        .where(target.c.id == bindparam("_id"))
        .values({name: bindparam(name) for name in names})
    )


def _update_patient(target: Table, names: tuple[str, ...]) -> Any:
    """Set ``names`` where the patient still has the version read (``_read``)."""
    return (
        update(target)
        .where(target.c.id == bindparam("_id"), target.c.version == bindparam("_read"))
        .values({name: bindparam(name) for name in names})
    )


def _keyed(row: dict[str, Any]) -> dict[str, Any]:
    """A row with its id under ``_id`` (a bind parameter may not share a column's name)."""
    keyed = {name: value for name, value in row.items() if name != "id"}
    keyed["_id"] = row["id"]
    return keyed
