"""Tampering as an insider with the database owner's rights would: the protection of the
audit tables (triggers) taken off first, then rows changed with SQL."""

from sqlalchemy import Engine, inspect, text

AUDIT_TABLES = ("audit_event", "record_view", "account_event", "installation")


def as_owner_without_protection(engine: Engine) -> None:
    """Drop (SQLite) or disable (PostgreSQL) the triggers that refuse changes to audit rows;
    idempotent."""
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
            for table in AUDIT_TABLES:
                connection.execute(text(f'ALTER TABLE "{table}" DISABLE TRIGGER USER'))


def tamper(engine: Engine, *statements: str, **values: object) -> None:
    """Run ``statements`` as the owner, the protection taken off."""
    as_owner_without_protection(engine)
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement), values)


def delete_patient(engine: Engine, external_id: str) -> None:
    """Delete a patient and every row of it in every table (rows that hang on its rows, such
    as task actions, first), as the owner: the patient vanishes without a trace in the
    database."""
    found = inspect(engine)
    order = [name for name, _ in reversed(found.get_sorted_table_and_fkc_names()) if name]
    owned = {
        name
        for name in order
        if any(c["name"] == "patient_id" for c in found.get_columns(name)) and name != "patient"
    }
    patient = "(SELECT id FROM patient WHERE external_id = :pid)"
    statements = []
    for name in order:
        if name in owned:
            statements.append(f'DELETE FROM "{name}" WHERE patient_id = {patient}')
            continue
        for key in found.get_foreign_keys(name):
            if key["referred_table"] in owned:
                [column] = key["constrained_columns"]
                statements.append(
                    f'DELETE FROM "{name}" WHERE "{column}" IN (SELECT id FROM '
                    f'"{key["referred_table"]}" WHERE patient_id = {patient})'
                )
    statements.append("DELETE FROM patient WHERE external_id = :pid")
    tamper(engine, *statements, pid=external_id)
