"""Databases for the benchmarks: SQLite files in the work folder, and PostgreSQL databases on
a server given by URL or on a throwaway server started for the run (as the tests do)."""

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

__all__ = ["Backend", "bare_connection", "postgres_server"]


class Backend:
    """Where a run's databases live: ``sqlite`` files under ``folder``, or new databases on
    one PostgreSQL server."""

    def __init__(self, name: str, folder: Path, server_url: str | None = None) -> None:
        self.name, self.folder, self.server_url = name, folder, server_url

    def new_database(self, label: str) -> str:
        if self.name == "sqlite":
            path = self.folder / f"{label}.db"
            for old in self.folder.glob(f"{label}.db*"):
                old.unlink()
            return f"sqlite:///{path}"
        assert self.server_url is not None
        name = f"bench_{label}_{uuid.uuid4().hex[:8]}"
        with _admin(self.server_url) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return make_url(self.server_url).set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        if self.name == "sqlite":
            for old in Path(make_url(url).database or "").parent.glob(
                Path(make_url(url).database or "").name + "*"
            ):
                old.unlink()
            return
        assert self.server_url is not None
        with _admin(self.server_url) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def _psycopg_kwargs(url: str) -> dict[str, Any]:
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"dbname": parsed.database, "user": parsed.username}
    if parsed.password:
        kwargs["password"] = parsed.password
    if parsed.host:
        kwargs["host"] = parsed.host
    if parsed.port:
        kwargs["port"] = parsed.port
    kwargs.update(parsed.query)
    return kwargs


@contextmanager
def _admin(url: str) -> Iterator[Any]:
    with psycopg.connect(**_psycopg_kwargs(url), autocommit=True) as connection:
        yield connection


@contextmanager
def bare_connection(url: str) -> Iterator[Any]:
    """The bare driver's connection (no SQLAlchemy): the baseline of the comparisons."""
    if url.startswith("sqlite"):
        connection = sqlite3.connect(make_url(url).database or "")
        connection.execute("PRAGMA journal_mode=WAL")
        try:
            yield connection
        finally:
            connection.close()
        return
    with psycopg.connect(**_psycopg_kwargs(url)) as connection:
        yield connection


@contextmanager
def postgres_server(url: str | None) -> Iterator[str | None]:
    """``url`` if given; else a throwaway server (tests/postgres_server.py) if PostgreSQL is
    installed; else None (the run is SQLite only, and says so)."""
    if url:
        yield url
        return
    from tests.postgres_server import PostgresServer, PostgresServerError, find_bindir

    bindir = find_bindir()
    if bindir is None:
        yield None
        return
    server = PostgresServer(bindir)
    try:
        started = server.start()
    except PostgresServerError:
        yield None
        return
    try:
        yield started
    finally:
        server.stop()
