"""Shared test fixtures and the CI guard against skipped tests.

Fixtures:

* ``postgres_server_url`` (session): SQLAlchemy URL of a PostgreSQL server's
  ``postgres`` database. ``ILDPATH_TEST_POSTGRES_URL`` if set; otherwise a
  throwaway server started by ``tests/postgres_server.py``; otherwise the test
  is skipped -- or fails when ``CI=true``, since CI must never skip them.
* ``database_url`` (function): parametrized ``sqlite`` / ``postgres`` (the
  latter carries the ``postgres`` marker); a database made for this test
  alone: a fresh SQLite file in ``tmp_path`` (empty), or a fresh PostgreSQL
  database ``test_<random>`` migrated to head by its owner and given as the
  URL of the application's role ``ildpath_app`` (`tests.database_roles`),
  which may only read and append to the audit tables; dropped after the test.
* ``owner_url`` (function): the owner's URL of ``database_url``'s database
  (the same SQLite file); for what needs the owner's rights.
* ``empty_database_url`` (function): parametrized like ``database_url``; an
  unmigrated database, as its owner (migration tests).
* ``postgres_url`` (function): the PostgreSQL variant only, for tests that are
  PostgreSQL-specific (concurrency, locking).

URLs are SQLAlchemy URLs (``sqlite:///...``, ``postgresql+psycopg://...``).

When ``CI=true``, a session with any skipped test exits non-zero.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import URL, make_url

from tests.database_roles import app_url_for, ensure_app_role, owner_url_for
from tests.postgres_server import PostgresServer, PostgresServerError, find_bindir

pytest_plugins = ["pytester", "tests.one_writer"]  # pytester: to test the CI guard itself

POSTGRES_URL_ENV = "ILDPATH_TEST_POSTGRES_URL"


def _audit_files_of_the_run() -> None:
    """The audit key and checkpoints of the test run live in its own temporary directory,
    never in the developer's configuration (each is made on first use, as on a fresh
    machine)."""
    if "ILDPATH_AUDIT_KEY_FILE" in os.environ and "ILDPATH_AUDIT_CHECKPOINT_FILE" in os.environ:
        return
    import tempfile

    place = Path(tempfile.mkdtemp(prefix="ildpath-test-audit-"))
    os.environ.setdefault("ILDPATH_AUDIT_KEY_FILE", str(place / "audit.key"))
    os.environ.setdefault("ILDPATH_AUDIT_CHECKPOINT_FILE", str(place / "checkpoints.jsonl"))


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def _unavailable(reason: str) -> None:
    message = f"PostgreSQL not available: {reason}"
    if in_ci():
        pytest.fail(f"{message} (CI=true: PostgreSQL tests must not be skipped)", pytrace=False)
    pytest.skip(message)


# -- PostgreSQL --------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """URL of the server's ``postgres`` database (see the module docstring)."""
    from_env = os.environ.get(POSTGRES_URL_ENV)
    if from_env:
        yield from_env
        return
    bindir = find_bindir()
    if bindir is None:
        _unavailable(f"no server binaries found and {POSTGRES_URL_ENV} is not set")
    server = PostgresServer(bindir)
    try:
        url = server.start()
    except PostgresServerError as exc:
        _unavailable(f"could not start a throwaway server: {exc}")
    try:
        yield url
    finally:
        server.stop()


def _connect_kwargs(url: URL, database: str) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "host": url.host,
        "port": url.port,
        "user": url.username,
        "password": url.password,
        "dbname": database,
    }
    kwargs.update(url.query)
    return {key: value for key, value in kwargs.items() if value is not None}


@contextmanager
def fresh_postgres_database(server_url: str) -> Iterator[str]:
    """Create an empty database on the server; yield its SQLAlchemy URL; drop it."""
    url = make_url(server_url)
    name = f"test_{uuid.uuid4().hex[:16]}"
    admin = _connect_kwargs(url, "postgres")
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield url.set(drivername="postgresql+psycopg", database=name).render_as_string(
            hide_password=False
        )
    finally:
        with psycopg.connect(**admin, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the PostgreSQL server ``postgres``.

    So ``-m "not postgres"`` leaves PostgreSQL out entirely, and ``-m postgres``
    selects all of it (``database_url[postgres]`` is marked by its param).
    """
    for item in items:
        if "postgres_server_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture
def postgres_url(postgres_server_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test only."""
    with fresh_postgres_database(postgres_server_url) as url:
        yield url


def _migrated_to_head(url: str) -> None:
    from persistence.database import make_engine, upgrade_schema

    engine = make_engine(url)
    try:
        upgrade_schema(engine)
    finally:
        engine.dispose()


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
    ids=["sqlite", "postgres"],
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database for this test: an empty SQLite file, or a PostgreSQL database
    migrated by its owner and reached as the application's role."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/ildpath.db"
        return
    # Looked up lazily so SQLite-only runs never start PostgreSQL.
    server_url = request.getfixturevalue("postgres_server_url")
    ensure_app_role(server_url)
    with fresh_postgres_database(server_url) as url:
        _migrated_to_head(url)
        yield app_url_for(url)


@pytest.fixture
def owner_url(database_url: str) -> str:
    """The owner's URL of ``database_url``'s database."""
    return owner_url_for(database_url)


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
    ids=["sqlite", "postgres"],
)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, unmigrated database for this test, as its owner (migration tests)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/ildpath.db"
        return
    server_url = request.getfixturevalue("postgres_server_url")
    ensure_app_role(server_url)  # so migrating it grants the role its rights
    with fresh_postgres_database(server_url) as url:
        yield url


# -- CI guard: skipped tests fail the session --------------------------------


class _CISkipGuard:
    """Registered only when ``CI=true``: any skipped test makes the run fail."""

    def __init__(self) -> None:
        self.skips: list[str] = []

    def _record(self, report: pytest.TestReport | pytest.CollectReport) -> None:
        if report.skipped and not hasattr(report, "wasxfail"):
            longrepr = report.longrepr
            reason = longrepr[2] if isinstance(longrepr, tuple) else longrepr
            self.skips.append(f"{report.nodeid}: {reason}")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self._record(report)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        self._record(report)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.skips and session.exitstatus in (
            pytest.ExitCode.OK,
            pytest.ExitCode.NO_TESTS_COLLECTED,
        ):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.skips:
            terminalreporter.section("CI=true: skipped tests count as failures", red=True)
            for line in self.skips:
                terminalreporter.line(f"SKIPPED {line}", red=True)
            terminalreporter.line(
                f"{len(self.skips)} skipped: CI must run every test; "
                "install what they need in .ci/run",
                red=True,
                bold=True,
            )


def pytest_configure(config: pytest.Config) -> None:
    _audit_files_of_the_run()
    if in_ci():
        config.pluginmanager.register(_CISkipGuard(), "ildpath-ci-skip-guard")
