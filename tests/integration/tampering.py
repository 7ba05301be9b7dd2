"""Tampering as an insider with the database owner's rights would: the protection of the
audit tables (triggers) taken off first, then rows changed with SQL."""

from sqlalchemy import Engine, text

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
