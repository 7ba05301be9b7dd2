"""Engines and schema: SQLite file by default, PostgreSQL by URL; Alembic keeps the schema.

The application upgrades the schema on start (`upgrade_schema`), so a clinic never runs a
migration by hand. Nothing connects at import time.
"""

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event
from sqlmodel import create_engine

from .audit_key import AuditKeyring

__all__ = ["alembic_config", "make_engine", "upgrade_schema"]

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


def upgrade_schema(engine: Engine, keyring: AuditKeyring | None = None) -> None:
    """Bring the database to the newest schema (idempotent); a migration that signs audit
    chains signs them with ``keyring`` (default: `load_keyring`)."""
    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        config.attributes["audit_keyring"] = keyring
        command.upgrade(config, "head")
