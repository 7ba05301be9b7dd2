"""The store contract's fixtures: one store of each implementation, and a way to read back
every row it holds, so one suite holds the memory store and the SQL stores to the same
behaviour (as APScheduler holds its job stores)."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel

from persistence.database import make_engine, upgrade_schema
from persistence.memory_store import MemoryStore
from persistence.ports import Store
from persistence.sql_store import SqlStore
from persistence.tables import CLINICAL_TABLES
from tests.conftest import fresh_postgres_database
from tests.database_roles import app_url_for, ensure_app_role


@pytest.fixture(
    params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
    ids=["memory", "sqlite", "postgres"],
)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store of each implementation."""
    if request.param == "memory":
        yield MemoryStore()
        return
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path}/contract.db")
        upgrade_schema(engine)
        yield SqlStore(engine)
        engine.dispose()
        return
    server_url = request.getfixturevalue("postgres_server_url")
    ensure_app_role(server_url)
    with fresh_postgres_database(server_url) as url:
        owner = make_engine(url)  # the owner migrates; the store runs as the application's role
        upgrade_schema(owner)
        owner.dispose()
        engine = make_engine(app_url_for(url))
        yield SqlStore(engine)
        engine.dispose()


def stored_rows(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Every row of every clinical table, in id order, as plain values."""
    if isinstance(store, MemoryStore):
        return {table: list(store.rows(table)) for table in CLINICAL_TABLES}
    assert isinstance(store, SqlStore)
    found: dict[str, list[dict[str, Any]]] = {}
    with store.engine.connect() as connection:
        for table in CLINICAL_TABLES:
            target = SQLModel.metadata.tables[table]
            rows = connection.execute(select(target).order_by(target.c.id))
            found[table] = [dict(row._mapping) for row in rows]
    return found
