"""Calendar feeds are grants of access: issuing and revoking one is an event on the accounts
chain naming who did it; `audit verify` stays clean after them and names a feed row changed,
added or removed with SQL. Only the user themself or an admin issues or revokes a feed, and
every refusal writes nothing. On SQLite and PostgreSQL (as the application's role)."""

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import text

from ildpath.accounts import (
    FeedNotYours,
    add_user,
    deactivate_user,
    feed_for_token,
    issue_feed,
    list_feeds,
    revoke_feed,
)
from ildpath.bootstrap import App
from ildpath.usecases.audit import verify_audit
from pathway.errors import InvalidValue

from .apps import clinic
from .tampering import tamper

DAY = date(2026, 3, 2)
PASSWORD = "correct-horse-battery"
pytestmark = pytest.mark.writes_outside_the_writer  # a malicious insider edits the tables


@pytest.fixture
def app(database_url: str) -> Iterator[App]:
    with clinic(database_url, DAY) as (app, _):
        add_user(app, "admin.rossi", "admin", PASSWORD, by="system")
        add_user(app, "anna", "coordinator", PASSWORD, by="admin.rossi")
        add_user(app, "ben", "clinician", PASSWORD, by="admin.rossi")
        yield app


def _events(app: App) -> list[tuple[str, str, str, str]]:
    with app.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT kind, actor, role, subject FROM account_event ORDER BY seq")
        )
        return [tuple(row) for row in rows][3:]  # type: ignore[misc]


def _problems(app: App) -> list[str]:
    report = verify_audit(app)
    assert all(found.chain == "accounts" for found in report.findings)
    return [found.line() for found in report.findings]


def test_issuing_and_revoking_are_events_naming_who_and_verify_clean(app: App) -> None:
    own = issue_feed(app, "anna", "mine", by="anna", by_role="coordinator")
    cohort = issue_feed(app, "anna", "all", by="cli:admin.rossi")
    revoke_feed(app, own.id, by="anna", by_role="coordinator")
    revoke_feed(app, own.id, by="admin.rossi", by_role="admin")  # again: nothing more recorded
    revoke_feed(app, cohort.id, by="cli:admin.rossi")

    assert _events(app) == [
        ("calendar_feed_issued", "anna", "coordinator", "anna"),
        ("calendar_feed_issued", "cli:admin.rossi", "admin", "anna"),
        ("calendar_feed_revoked", "anna", "coordinator", "anna"),
        ("calendar_feed_revoked", "cli:admin.rossi", "admin", "anna"),
    ]
    assert [(f.scope, f.revoked_at is not None) for f in list_feeds(app, "anna")] == [
        ("mine", True),
        ("all", True),
    ]
    report = verify_audit(app)
    assert report.findings == [] and report.account_events == 7
    # the secret is nowhere in the database: only its digest, and the chain a digest of that
    with app.engine.connect() as connection:
        stored = connection.execute(text("SELECT * FROM calendar_feed")).all()
        chained = connection.execute(text("SELECT record, payload FROM account_event")).all()
    assert own.token not in repr(stored) + repr(chained)
    assert cohort.token not in repr(stored) + repr(chained)


def test_refusals_name_the_field_and_write_nothing(app: App) -> None:
    with pytest.raises(InvalidValue, match=r"scope: 'everyone' is not allowed; allowed: mine"):
        issue_feed(app, "anna", "everyone", by="anna")
    with pytest.raises(FeedNotYours, match=r"by: ben may not issue or revoke a calendar feed"):
        issue_feed(app, "anna", "mine", by="ben", by_role="clinician")
    with pytest.raises(FeedNotYours):
        issue_feed(app, "anna", "mine", by="cli:ben")  # the account named, not an admin
    kept = issue_feed(app, "anna", "mine", by="anna")
    with pytest.raises(FeedNotYours):
        revoke_feed(app, kept.id, by="ben", by_role="clinician")
    deactivate_user(app, "ben", by="admin.rossi")
    with pytest.raises(InvalidValue, match=r"username: 'ben' is not allowed; allowed: an active"):
        issue_feed(app, "ben", "mine", by="admin.rossi", by_role="admin")

    assert _events(app) == [
        ("calendar_feed_issued", "anna", "coordinator", "anna"),
        ("deactivated", "admin.rossi", "admin", "ben"),
    ]
    assert [(f.username, f.revoked_at) for f in list_feeds(app)] == [("anna", None)]
    assert feed_for_token(app, kept.token) is not None


def test_a_feed_row_changed_added_or_removed_with_sql_is_named(app: App) -> None:
    issued = issue_feed(app, "anna", "mine", by="anna")
    revoke_feed(app, issued.id, by="anna")
    assert feed_for_token(app, issued.token) is None

    # an insider brings the revoked address back to life and widens it to the whole cohort
    tamper(app.engine, "UPDATE calendar_feed SET revoked_at = NULL, scope = 'all'")
    assert feed_for_token(app, issued.token) is not None  # it works again: only the chain knows
    problems = _problems(app)
    assert len(problems) == 2
    assert all(
        p.startswith("accounts: calendar_feed row 1: calendar feed (all) of user anna: row differs")
        for p in problems
    )
    assert any("revoked_at is None in the table" in p for p in problems)
    assert any("scope is 'all' in the table, 'mine' in the chain" in p for p in problems)


def test_a_feed_inserted_or_deleted_with_sql_is_found(app: App) -> None:
    issue_feed(app, "anna", "mine", by="anna")
    tamper(
        app.engine,
        "INSERT INTO calendar_feed (username, token_digest, scope, created_at) "
        "SELECT 'ben', 'x', 'all', created_at FROM calendar_feed",
    )
    [problem] = _problems(app)
    assert "calendar_feed row 2: calendar feed (all) of user ben: row has no event" in problem

    tamper(app.engine, "DELETE FROM calendar_feed")
    [problem] = _problems(app)
    assert "calendar_feed row 1: calendar feed (mine) of user anna: row missing" in problem


def test_the_last_read_of_a_feed_is_not_a_change(app: App) -> None:
    issued = issue_feed(app, "anna", "mine", by="anna")
    assert feed_for_token(app, issued.token) is not None
    assert list_feeds(app, "anna")[0].last_read_at is not None
    tamper(app.engine, "UPDATE calendar_feed SET last_read_at = created_at")
    assert verify_audit(app).findings == []
