"""The audit tables only take new rows: the application (SQLite: any plain connection;
PostgreSQL: the application's role ``ildpath_app``) may not change or delete an audit event,
an access-log entry, an accounts-chain event or the installation id; tampering then needs the
owner's rights, and `audit verify` still finds it."""

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from ildpath.accounts import add_user
from ildpath.bootstrap import App, bootstrap
from ildpath.clock import SimulatedClock
from ildpath.settings import Settings
from ildpath.usecases import record_observation
from ildpath.usecases.audit import verify_audit
from ildpath.usecases.views import record_view
from persistence.audit_protection import AUDIT_TABLES, protect_again_as_owner
from persistence.database import alembic_config, make_engine
from persistence.errors import SchemaNeedsOwner
from persistence.installation import installation_id
from tests.database_roles import APP_ROLE, app_url_for
from tests.e2e.cli import Terminal

from .apps import CLINICIAN, clinic, enrol
from .migrating import migrate
from .tampering import tamper

DAY = date(2026, 3, 2)
pytestmark = pytest.mark.writes_outside_the_writer  # refused writes, and an insider's


@pytest.fixture
def app(database_url: str) -> Iterator[App]:
    """A clinic with a row in every audit table, written by the application itself."""
    with clinic(database_url, DAY) as (app, _):
        enrol(app, "P-001")
        record_observation(app, "P-001", "pft", {"fvc_pct": 70, "dlco_pct": 50}, DAY, CLINICIAN)
        record_view(app, "P-001", CLINICIAN, via="cli", what="record")
        installation_id(app.engine)
        add_user(app, "anna", "clinician", "correct-horse-battery", by="system")  # accounts
        yield app


def _refused(engine: Engine, statement: str) -> str:
    with pytest.raises(DBAPIError) as refused, engine.begin() as connection:
        connection.execute(text(statement))
    return str(refused.value.orig)


@pytest.mark.parametrize("table", AUDIT_TABLES)
@pytest.mark.parametrize("change", ["UPDATE {table} SET id = id", "DELETE FROM {table}"])
def test_the_application_may_not_change_or_delete_audit_rows(
    app: App, table: str, change: str
) -> None:
    problem = _refused(app.engine, change.format(table=table))
    assert f"{table} is append-only" in problem or f"permission denied for table {table}" in problem
    with app.engine.connect() as connection:
        assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() >= 1


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_the_app_roles_update_of_an_audit_event_is_refused_permission_denied(
    app: App, database_url: str
) -> None:
    assert app.engine.url.username == APP_ROLE
    problem = _refused(app.engine, "UPDATE audit_event SET actor = 'x'")
    assert "permission denied for table audit_event" in problem


def test_even_the_owner_is_refused_while_the_protection_is_on(app: App, owner_url: str) -> None:
    owner = make_engine(owner_url)
    try:
        for table in AUDIT_TABLES:
            assert f"{table} is append-only" in _refused(owner, f"DELETE FROM {table}")
    finally:
        owner.dispose()


def test_the_application_still_writes_and_what_it_wrote_verifies(app: App) -> None:
    enrol(app, "P-002")
    record_observation(app, "P-002", "pft", {"fvc_pct": 81, "dlco_pct": 60}, DAY, CLINICIAN)
    record_view(app, "P-002", CLINICIAN, via="cli", what="record")
    report = verify_audit(app)
    assert report.patients == 2 and report.views == 2
    assert report.findings == []


def test_tampering_as_the_owner_with_the_protection_off_is_still_found(app: App) -> None:
    tamper(app.engine, "UPDATE audit_event SET actor = 'x' WHERE seq = 1")
    tamper(app.engine, "UPDATE observation SET fvc_pct = 90")
    found = {(f.chain, f.patient) for f in verify_audit(app).findings}
    assert ("events", "P-001") in found and ("record", "P-001") in found


def test_the_cli_names_what_the_owner_changed(app: App, database_url: str, tmp_path: Path) -> None:
    tamper(app.engine, "UPDATE observation SET fvc_pct = 90")
    shell = Terminal(tmp_path)
    shell.env["ILDPATH_DATABASE_URL"] = database_url
    done = shell.run("audit", "verify", "--json")
    assert done.returncode == 1, done.stderr
    record = [f for f in json.loads(done.stdout)["findings"] if f["chain"] == "record"]
    assert [(f["patient"], f["table"]) for f in record] == [("P-001", "observation")]


def test_the_application_starts_as_its_role_on_a_migrated_database(database_url: str) -> None:
    app = bootstrap(Settings(database_url=database_url), SimulatedClock(DAY))
    try:
        enrol(app, "P-003")
    finally:
        app.engine.dispose()


@pytest.mark.parametrize("empty_database_url", ["postgres"], indirect=True)
def test_on_an_unmigrated_database_the_app_role_is_told_to_have_the_owner_migrate(
    empty_database_url: str, tmp_path: Path
) -> None:
    as_app = app_url_for(empty_database_url)
    with pytest.raises(SchemaNeedsOwner, match=r"run `ildpath init`.* as the database's owner"):
        bootstrap(Settings(database_url=as_app), SimulatedClock(DAY))
    shell = Terminal(tmp_path)
    shell.env["ILDPATH_DATABASE_URL"] = as_app
    done = shell.run("cohort")
    assert done.returncode == 4
    assert "as the database's owner" in done.stderr
    migrate(empty_database_url, "head")  # the owner migrates; then the role may start
    bootstrap(Settings(database_url=as_app), SimulatedClock(DAY)).engine.dispose()


def test_going_back_to_0014_takes_the_protection_off(empty_database_url: str) -> None:
    migrate(empty_database_url, "head")
    migrate(empty_database_url, "0014", down=True)
    engine = make_engine(empty_database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO installation VALUES (1, 'x', :at)"), {"at": DAY})
            connection.execute(text("DELETE FROM installation"))
    finally:
        engine.dispose()
    migrate(empty_database_url, "head")


def test_the_migrations_have_one_head() -> None:
    assert len(ScriptDirectory.from_config(alembic_config()).get_heads()) == 1


def test_init_as_the_owner_puts_dropped_protection_back(app: App, owner_url: str) -> None:
    tamper(app.engine)  # the owner takes the protection off, changes nothing
    owner = make_engine(owner_url)
    try:
        with owner.begin() as connection:
            said = protect_again_as_owner(connection)
        assert said.startswith("append-only")
        assert "audit_event is append-only" in _refused(owner, "DELETE FROM audit_event")
    finally:
        owner.dispose()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_role_that_lost_its_grants_gets_them_back_from_init_as_the_owner(
    app: App, owner_url: str, tmp_path: Path
) -> None:
    owner = make_engine(owner_url)
    try:
        with owner.begin() as connection:  # as for a role created after the migration
            connection.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {APP_ROLE}"))
    finally:
        owner.dispose()
    assert "permission denied" in _refused(app.engine, "SELECT count(*) FROM patient")
    shell = Terminal(tmp_path)
    shell.env["ILDPATH_DATABASE_URL"] = owner_url
    said = shell.ok("init")
    assert f"the role {APP_ROLE} may only read and append to them" in said
    enrol(app, "P-004")
    assert "permission denied for table audit_event" in _refused(
        app.engine, "UPDATE audit_event SET actor = 'x'"
    )


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_init_as_the_app_role_says_it_could_not_check_the_protection(app: App) -> None:
    with app.engine.begin() as connection:
        said = protect_again_as_owner(connection)
    assert said.startswith("protection not checked") and "as the owner" in said
