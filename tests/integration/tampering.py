"""Tampering as an insider with the database owner's rights would: the protection of the
audit tables (triggers) taken off first, then rows changed with SQL.

The tests' PostgreSQL databases are reached as the application's role, which may not change
audit rows at all (`persistence.audit_protection`); these helpers go through the owner
(`tests.database_roles.owner_url_for`), as a real insider would need to."""

from sqlalchemy import Engine, MetaData, Table, delete, select, text

from persistence.audit_protection import AUDIT_TABLES, PROTECTED_TABLES
from persistence.database import make_engine
from tests.database_roles import owner_url_for

__all__ = ["AUDIT_TABLES", "as_owner_without_protection", "delete_patient", "tamper"]


def _owner_engine(engine_or_url: Engine | str) -> tuple[Engine, bool]:
    """The owner's engine, and whether it was made here (so the caller disposes it)."""
    if isinstance(engine_or_url, Engine):
        if engine_or_url.dialect.name == "sqlite":
            return engine_or_url, False
        url = engine_or_url.url.render_as_string(hide_password=False)
        owner = owner_url_for(url)
        if owner == url:
            return engine_or_url, False
        return make_engine(owner), True
    return make_engine(owner_url_for(engine_or_url)), True


def as_owner_without_protection(engine_or_url: Engine | str) -> Engine:
    """An engine with the owner's rights on the same database, the triggers that refuse
    changes to audit rows dropped (SQLite) or disabled (PostgreSQL); idempotent. A SQLite
    engine given is returned itself; otherwise the caller disposes the engine returned."""
    engine, _ = _owner_engine(engine_or_url)
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            names = connection.execute(
                text(
                    "SELECT name FROM sqlite_master "
                    "WHERE type = 'trigger' AND name LIKE '%append_only%'"
                )
            ).scalars()
            for name in list(names):
                connection.execute(text(f'DROP TRIGGER IF EXISTS "{name}"'))
        else:
            for table in PROTECTED_TABLES:
                connection.execute(text(f'ALTER TABLE "{table}" DISABLE TRIGGER USER'))
    return engine


def tamper(engine_or_url: Engine | str, *statements: str, **values: object) -> None:
    """Run ``statements`` as the owner, the protection taken off."""
    owner = as_owner_without_protection(engine_or_url)
    made = owner is not engine_or_url
    try:
        with owner.begin() as connection:
            for statement in statements:
                connection.execute(text(statement), values)
    finally:
        if made:
            owner.dispose()


def _patient_rows(table: Table, patient_id: int, tables: MetaData) -> list[object]:
    """Conditions selecting the rows of ``table`` that belong to the patient: its own
    ``patient_id``, or a reference to a row that has one (a task's actions)."""
    if table.name == "patient":
        return [table.c.id == patient_id]
    if "patient_id" in table.c:
        return [table.c.patient_id == patient_id]
    found: list[object] = []
    for key in table.foreign_keys:
        parent = key.column.table
        if "patient_id" in parent.c:
            owned = select(key.column).where(parent.c.patient_id == patient_id)
            found.append(key.parent.in_(owned))
    return found


def delete_patient(engine_or_url: Engine | str, external_id: str) -> None:
    """Delete the patient ``external_id`` and every row of it in every table (children
    first), as the owner with the protection off: a whole patient gone."""
    owner = as_owner_without_protection(engine_or_url)
    made = owner is not engine_or_url
    try:
        tables = MetaData()
        tables.reflect(owner)
        with owner.begin() as connection:
            patient = tables.tables["patient"]
            patient_id = connection.execute(
                select(patient.c.id).where(patient.c.external_id == external_id)
            ).scalar_one()
            for table in reversed(tables.sorted_tables):
                for condition in _patient_rows(table, patient_id, tables):
                    connection.execute(delete(table).where(condition))  # type: ignore[arg-type]
    finally:
        if made:
            owner.dispose()
