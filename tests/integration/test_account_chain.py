"""The accounts chain: every account and token change is an event naming who did it, in
which role, to whom and what; `audit verify` rebuilds the account rows from the chain, so a
role raised, a user or a token inserted with SQL, an event altered or deleted is named by
user. The last active admin is never deactivated or demoted. On SQLite and PostgreSQL."""

import threading
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import text

from ildpath.accounts import (
    LastAdminRefused,
    add_user,
    change_role,
    deactivate_user,
    issue_token,
    list_users,
    reactivate_user,
    revoke_token,
    set_email,
    set_password,
)
from ildpath.bootstrap import App
from ildpath.usecases.audit import verify_audit
from persistence.account_baseline import BASELINE_ACTOR

from .apps import clinic
from .migrating import migrate
from .tampering import tamper

DAY = date(2026, 3, 2)
PASSWORD = "correct-horse-battery"
pytestmark = pytest.mark.writes_outside_the_writer  # a malicious insider edits the tables


@pytest.fixture
def app(database_url: str) -> Iterator[App]:
    """An admin made at the terminal's first run, a clinician with an API token."""
    with clinic(database_url, DAY) as (app, _):
        add_user(app, "admin.rossi", "admin", PASSWORD, by="system")
        add_user(app, "anna", "clinician", PASSWORD, by="admin.rossi")
        issue_token(app, "anna", "lab import", by="admin.rossi")
        yield app


def _events(app: App) -> list[tuple[int, str, str, str, str]]:
    with app.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT seq, kind, actor, role, subject FROM account_event ORDER BY seq")
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def _problems(app: App) -> list[str]:
    report = verify_audit(app)
    assert all(found.chain == "accounts" for found in report.findings)
    return [found.line() for found in report.findings]


def test_each_account_and_token_change_is_one_event_naming_who_did_what(app: App) -> None:
    set_password(app, "anna", "another-long-password", by="admin.rossi")
    set_email(app, "anna", "anna@clinic.example", by="cli:it-desk", by_role="admin")
    change_role(app, "anna", "coordinator", by="admin.rossi")
    deactivate_user(app, "anna", by="admin.rossi")
    reactivate_user(app, "anna", by="admin.rossi")
    revoke_token(app, 1, by="admin.rossi")
    assert _events(app) == [
        (1, "user_added", "system", "system", "admin.rossi"),
        (2, "user_added", "admin.rossi", "admin", "anna"),
        (3, "token_issued", "admin.rossi", "admin", "anna"),
        (4, "password_set", "admin.rossi", "admin", "anna"),
        (5, "email_set", "cli:it-desk", "admin", "anna"),
        (6, "role_changed", "admin.rossi", "admin", "anna"),
        (7, "deactivated", "admin.rossi", "admin", "anna"),
        (8, "reactivated", "admin.rossi", "admin", "anna"),
        (9, "token_revoked", "admin.rossi", "admin", "anna"),
    ]
    report = verify_audit(app)
    assert report.findings == [] and report.account_events == 9


def test_a_refused_change_writes_no_event(app: App) -> None:
    with pytest.raises(LastAdminRefused, match=r"admin\.rossi is the last active admin"):
        deactivate_user(app, "admin.rossi", by="cli:root", by_role="admin")
    with pytest.raises(LastAdminRefused):
        change_role(app, "admin.rossi", "auditor", by="cli:root", by_role="admin")
    assert next((u.username, u.role, u.active) for u in list_users(app)) == (
        "admin.rossi",
        "admin",
        True,
    )
    assert len(_events(app)) == 3
    add_user(app, "admin.bianchi", "admin", PASSWORD, by="admin.rossi")
    deactivate_user(app, "admin.rossi", by="admin.bianchi")  # another admin is left
    assert verify_audit(app).findings == []


def test_a_role_raised_with_sql_is_named_with_both_values(app: App) -> None:
    tamper(app.engine, "UPDATE user_account SET role = 'admin' WHERE username = 'anna'")
    [problem] = _problems(app)
    assert problem.startswith("accounts: user_account row 2: user anna: row differs: role")
    assert "'admin' in the table, 'clinician' in the chain" in problem


def test_a_password_hash_replaced_with_sql_is_found(app: App) -> None:
    tamper(
        app.engine,
        "UPDATE user_account SET password_hash = (SELECT password_hash FROM user_account "
        "WHERE username = 'admin.rossi') WHERE username = 'anna'",
    )
    [problem] = _problems(app)
    assert "user anna: row differs: password_hash" in problem


def test_a_user_inserted_with_sql_has_no_event(app: App) -> None:
    tamper(
        app.engine,
        "INSERT INTO user_account (username, role, password_hash, active, demo, created_at) "
        "SELECT 'mallory', 'admin', password_hash, active, demo, created_at FROM user_account "
        "WHERE username = 'anna'",
    )
    [problem] = _problems(app)
    assert "user_account row 3: user mallory: row has no event" in problem


def test_a_token_inserted_with_sql_has_no_event(app: App) -> None:
    tamper(
        app.engine,
        "INSERT INTO api_token (user_id, name, token_hash, created_at) "
        "SELECT id, 'backdoor', password_hash, created_at FROM user_account "
        "WHERE username = 'admin.rossi'",
    )
    [problem] = _problems(app)
    assert "api_token row 2: token 'backdoor' of user admin.rossi: row has no event" in problem


def test_a_row_deleted_with_sql_is_missing(app: App) -> None:
    tamper(app.engine, "DELETE FROM api_token")
    [problem] = _problems(app)
    assert "api_token row 1: token 'lab import' of user anna: row missing" in problem


def test_an_account_events_payload_altered_breaks_its_signature(app: App) -> None:
    tamper(app.engine, 'UPDATE account_event SET payload = \'{"role":"auditor"}\' WHERE seq = 2')
    [problem] = _problems(app)
    assert problem.startswith("accounts: event 2: bad signature: user_added of anna by admin.rossi")


def test_an_event_deleted_mid_chain_is_found_and_so_is_its_row(app: App) -> None:
    tamper(app.engine, "DELETE FROM account_event WHERE seq = 2")
    problems = _problems(app)
    assert "accounts: event 2: missing (deleted)" in problems
    assert "accounts: user_account row 2: user anna: row has no event" in problems


def test_the_last_use_of_a_token_is_not_a_change(app: App) -> None:
    tamper(app.engine, "UPDATE api_token SET last_used_at = created_at")
    assert verify_audit(app).findings == []


def test_the_baseline_migration_records_the_accounts_made_before_the_chain(
    empty_database_url: str,
) -> None:
    database_url = empty_database_url  # as the owner: it migrates down and up
    with clinic(database_url, DAY) as (app, _):
        add_user(app, "admin.rossi", "admin", PASSWORD, by="system")
        add_user(app, "anna", "clinician", PASSWORD, by="admin.rossi")
        issue_token(app, "anna", "lab import", by="admin.rossi")
    migrate(database_url, "0014", down=True)
    with clinic(database_url, DAY) as (app, _):
        tamper(app.engine, "DELETE FROM account_event")  # as written at 0014: no events
    migrate(database_url, "0014", down=True)  # bootstrap upgraded it again: back to 0014
    with clinic(database_url, DAY) as (app, _):  # the application upgrades on start
        assert _events(app) == [(1, "accounts_baseline", BASELINE_ACTOR, "system", "*")]
        assert verify_audit(app).findings == []
        tamper(app.engine, "UPDATE user_account SET role = 'admin' WHERE username = 'anna'")
        [problem] = _problems(app)
        assert "user anna: row differs: role" in problem
        change_role(app, "anna", "auditor", by="admin.rossi")
        assert _events(app)[-1] == (2, "role_changed", "admin.rossi", "admin", "anna")


def test_accounts_added_at_the_same_moment_do_not_fork_the_chain(app: App) -> None:
    names = [f"nurse-{n}" for n in range(6)]
    failures: list[BaseException] = []

    def add(name: str) -> None:
        try:
            add_user(app, name, "coordinator", PASSWORD, by="admin.rossi")
        except BaseException as error:  # reported below, with the test's own assertion
            failures.append(error)

    threads = [threading.Thread(target=add, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert failures == []
    events = _events(app)
    assert [seq for seq, *_ in events] == list(range(1, 3 + len(names) + 1))
    assert sorted(subject for *_, subject in events[3:]) == names
    assert verify_audit(app).findings == []
