"""Engines and schema: SQLite file by default, PostgreSQL by URL; Alembic keeps the schema.

The application upgrades the schema on start (`upgrade_schema`), so a clinic never runs a
migration by hand. Nothing connects at import time.
"""

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import create_engine

from .audit_key import AuditKeyring
from .errors import SchemaNeedsOwner

__all__ = ["alembic_config", "make_engine", "schema_head", "upgrade_schema"]

_MIGRATIONS = Path(__file__).with_name("migrations")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Foreign keys on, WAL so readers do not block the writer, and wait rather than fail
    while another process holds the write lock."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for ``url`` (``sqlite:///file.db`` or ``postgresql+psycopg://...``)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


def alembic_config(engine: Engine | None = None, url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["engine"] = engine
    return config


_INSUFFICIENT_PRIVILEGE = "42501"


def schema_head() -> str:
    """The newest revision of the migrations (one head: a test holds it so)."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _current(connection: Connection) -> str | None:
    heads = MigrationContext.configure(connection).get_current_heads()
    return heads[0] if len(heads) == 1 else None


def _may_change_schema(connection: Connection) -> bool:
    """Whether this PostgreSQL connection may migrate: it may create in the schema and owns
    (is a member of the owner of) the version table, if there is one. SQLite: always."""
    if connection.dialect.name != "postgresql":
        return True
    allowed = connection.execute(
        text(
            "SELECT has_schema_privilege(current_schema(), 'CREATE') AND "
            "coalesce((SELECT pg_has_role(tableowner, 'USAGE') FROM pg_tables "
            "WHERE schemaname = current_schema() AND tablename = 'alembic_version'), true)"
        )
    ).scalar()
    return bool(allowed)


def upgrade_schema(engine: Engine, keyring: AuditKeyring | None = None) -> None:
    """Bring the database to the newest schema (idempotent); a migration that signs audit
    chains signs them with ``keyring`` (default: `load_keyring`).

    At the newest revision it only reads the version, so the application may connect as a
    role without the owner's rights (PostgreSQL ``ildpath_app``, which may not take the audit
    tables' protection off). Behind it, without those rights: `SchemaNeedsOwner`."""
    head = schema_head()
    with engine.connect() as connection:
        current = _current(connection)
        if current == head:
            return
        if not _may_change_schema(connection):
            raise SchemaNeedsOwner(current, head)
    try:
        with engine.begin() as connection:
            config = alembic_config(engine)
            config.attributes["connection"] = connection
            config.attributes["audit_keyring"] = keyring
            command.upgrade(config, "head")
    except DBAPIError as error:
        if getattr(error.orig, "sqlstate", None) == _INSUFFICIENT_PRIVILEGE:
            raise SchemaNeedsOwner(current, head) from error
        raise
