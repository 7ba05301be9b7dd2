"""The database fixtures of tests/conftest.py give fresh, empty, writable databases."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, inspect, select
from sqlalchemy.engine import make_url

from tests.conftest import fresh_postgres_database
from tests.database_roles import APP_ROLE, owner_url_for


def _create_insert_read(url: str) -> str:
    """Check the database is empty, write a row with SQLAlchemy Core, read it back.

    Returns the database's name.
    """
    engine = create_engine(url)
    try:
        assert inspect(engine).get_table_names() == []
        metadata = MetaData()
        notes = Table(
            "notes",
            metadata,
            Column("id", Integer, primary_key=True),
            Column("text", String(100), nullable=False),
        )
        metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(notes.insert(), [{"text": "first"}, {"text": "second"}])
        with engine.connect() as conn:
            rows = conn.execute(select(notes.c.text).order_by(notes.c.id)).scalars().all()
        assert rows == ["first", "second"]
        return str(engine.url.database)
    finally:
        engine.dispose()


def test_empty_database_url_is_empty_and_writable(empty_database_url: str) -> None:
    _create_insert_read(empty_database_url)


def test_database_url_backend_matches_param(
    database_url: str, request: pytest.FixtureRequest
) -> None:
    url = make_url(database_url)
    if request.node.callspec.params["database_url"] == "sqlite":
        assert url.get_backend_name() == "sqlite"
        assert url.database is not None and url.database.endswith("ildpath.db")
    else:
        assert url.drivername == "postgresql+psycopg"
        assert str(url.database).startswith("test_")
        assert url.username == APP_ROLE  # the application's role, not the owner
        assert make_url(owner_url_for(database_url)).username != APP_ROLE
        assert request.node.get_closest_marker("postgres") is not None


_seen_postgres_databases: list[str] = []


@pytest.mark.parametrize("round_", [1, 2])
def test_each_postgres_test_gets_its_own_database(postgres_url: str, round_: int) -> None:
    # Round 2 gets a different, empty database (the table made in round 1 is not
    # there), and round 1's database has been dropped.
    name = _create_insert_read(postgres_url)
    url = make_url(postgres_url)
    with psycopg.connect(
        host=url.host, port=url.port, user=url.username, dbname=name, autocommit=True
    ) as conn:
        for earlier in _seen_postgres_databases:
            assert earlier != name
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [earlier]
            ).fetchone()
            assert exists is None, f"database {earlier} was not dropped after its test"
    _seen_postgres_databases.append(name)


def test_fresh_postgres_database_is_distinct_and_dropped(postgres_server_url: str) -> None:
    with (
        fresh_postgres_database(postgres_server_url) as first,
        fresh_postgres_database(postgres_server_url) as second,
    ):
        assert make_url(first).database != make_url(second).database
        _create_insert_read(first)
        _create_insert_read(second)
        # An open connection must not stop the drop (DROP ... WITH (FORCE)).
        leftover = create_engine(first).connect()
    url = make_url(postgres_server_url)
    with psycopg.connect(
        host=url.host, port=url.port, user=url.username, dbname="postgres"
    ) as conn:
        names = {make_url(first).database, make_url(second).database}
        rows = conn.execute(
            "SELECT datname FROM pg_database WHERE datname = ANY(%s)", [list(names)]
        ).fetchall()
    assert rows == []
    leftover.invalidate()
