"""API tokens checked without argon2, on SQLite and PostgreSQL: a token is stored as a keyed
SHA-256 (HMAC under a key derived from the audit key), so a forged secret with a real token
id is refused after one HMAC, not ~170 ms of argon2. Tokens issued before (argon2 hashes, as
an older release stored them) keep working and are stored again as the keyed digest on their
first successful use, with an event on the accounts chain, so `audit verify` stays clean."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from ildpath.accounts import (
    Account,
    account_for_token,
    add_user,
    authenticate,
    issue_token,
    list_tokens,
)
from ildpath.accounts.hashing import hash_secret
from ildpath.bootstrap import bootstrap
from ildpath.clock import SimulatedClock
from ildpath.settings import Settings
from ildpath.usecases.audit import verify_audit
from persistence.audit_key import rotate_key
from persistence.database import make_engine

from .apps import clinic
from .migrating import migrate

pytestmark = pytest.mark.writes_outside_the_writer  # an older release's rows, put in by hand

DAY = date(2026, 3, 2)
ANNA = Account("anna", "clinician")
OLD_TOKEN = "ildp_1_" + "Q" * 43
"""A token as an older release issued it: its argon2 hash is what that release stored."""
PASSWORD = "correct-horse-battery"
OLD_PASSWORD = "password1234"
"""Allowed by an older release (length alone), refused for a new password now."""


def _clinic_of_an_older_release(url: str) -> None:
    """Anna, her password and her token as written before the password rules and the keyed
    digest (schema of revision 0015)."""
    migrate(url, "0015")
    engine = make_engine(url)
    now = datetime(2026, 3, 1, 9, tzinfo=UTC)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO user_account (id, username, role, password_hash, active, demo, "
                    "created_at) VALUES (1, 'anna', 'clinician', :hash, true, false, :now)"
                ),
                {"hash": hash_secret(OLD_PASSWORD), "now": now},
            )
            connection.execute(
                text(
                    "INSERT INTO api_token (id, user_id, name, token_hash, created_at) "
                    "VALUES (1, 1, 'lab import', :hash, :now)"
                ),
                {"hash": hash_secret(OLD_TOKEN), "now": now},
            )
    finally:
        engine.dispose()


def _token_rows(url: str) -> list[tuple[str, str]]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            found = connection.execute(text("SELECT name, token_hash FROM api_token ORDER BY id"))
            return [tuple(row) for row in found]  # type: ignore[misc]
    finally:
        engine.dispose()


def _chained(url: str) -> list[tuple[str, str, str]]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT kind, actor, subject FROM account_event ORDER BY seq")
            )
            return [tuple(row) for row in rows]  # type: ignore[misc]
    finally:
        engine.dispose()


def test_a_token_and_a_password_set_before_keep_working_the_token_stored_again_keyed(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    _clinic_of_an_older_release(url)
    with clinic(url, DAY) as (app, _):  # the application upgrades on start
        [(_, stored)] = _token_rows(url)
        assert stored.startswith("$argon2id$")
        assert account_for_token(app, OLD_TOKEN[:-1] + "R") is None  # wrong: nothing rewritten
        assert _token_rows(url)[0][1] == stored
        assert account_for_token(app, OLD_TOKEN) == ANNA
        [(_, rehashed)] = _token_rows(url)
        assert rehashed.startswith("hmac-sha256$") and OLD_TOKEN not in rehashed
        assert account_for_token(app, OLD_TOKEN) == ANNA
        assert account_for_token(app, OLD_TOKEN[:-1] + "R") is None
        assert _chained(url) == [
            ("accounts_baseline", "ildpath-migration", "*"),
            ("token_rehashed", "system", "anna"),
        ]
        report = verify_audit(app)
        assert report.findings == [] and report.account_events == 2
        assert authenticate(app, "anna", OLD_PASSWORD) == ANNA  # the rules apply when set


def test_a_forged_secret_with_a_real_token_id_is_refused_and_changes_nothing(
    database_url: str,
) -> None:
    with clinic(database_url, DAY) as (app, _):
        add_user(app, "anna", "clinician", PASSWORD, by="system")
        token = issue_token(app, "anna", "lab import", by="system")
        token_id = token.split("_")[1]
        for forged in (
            f"ildp_{token_id}_" + "A" * 43,
            token[:-2] + ("xy" if not token.endswith("xy") else "zw"),
            token + "A",
        ):
            assert account_for_token(app, forged) is None
        assert list_tokens(app, "anna")[0].last_used_at is None  # a forgery is no use
        assert account_for_token(app, token) == ANNA
        assert verify_audit(app).findings == []


def test_tokens_keep_working_when_the_audit_key_is_rotated(tmp_path: Path) -> None:
    key_file = tmp_path / "audit.key"
    settings = Settings(database_url=f"sqlite:///{tmp_path}/clinic.db", audit_key_file=key_file)
    first = bootstrap(settings, SimulatedClock(DAY))
    try:
        add_user(first, "anna", "clinician", PASSWORD, by="system")
        before = issue_token(first, "anna", "lab import", by="system")
        old_key = first.sql.keyring.current
    finally:
        first.engine.dispose()
    rotate_key(key_file)
    later = bootstrap(settings, SimulatedClock(DAY))
    try:
        after = issue_token(later, "anna", "ward laptop", by="system")
        assert later.sql.keyring.current != old_key
        assert account_for_token(later, before) == ANNA  # under the old key, still held
        assert account_for_token(later, after) == ANNA
        stored = [h for _, h in _token_rows(settings.database_url)]
        assert [h.split("$")[1] for h in stored] == [old_key, later.sql.keyring.current]
        assert verify_audit(later).findings == []
    finally:
        later.engine.dispose()
