"""Accounts of the dashboard and API, alike on SQLite and PostgreSQL: passwords and tokens are
kept only as hashes, a wrong or revoked credential is refused at once, sessions expire, and a
refused account writes nothing."""

import hashlib
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from ildpath.accounts import (
    Account,
    TokenNotFound,
    UsernameTaken,
    UserNotFound,
    account_for_token,
    add_user,
    authenticate,
    close_session,
    deactivate_user,
    demo_accounts,
    issue_token,
    list_tokens,
    list_users,
    open_session,
    revoke_token,
    session_for,
    set_password,
)
from ildpath.accounts import users as users_module
from ildpath.bootstrap import App
from pathway.errors import InvalidValue
from persistence.account_tables import ApiTokenRow, UserRow

from .apps import clinic

DAY = date(2026, 3, 2)
PASSWORD = "Ossigeno-Alto-2026"
ANNA = Account("anna", "clinician")


@pytest.fixture
def app(database_url):
    """The clinic's application on a fresh database; its clock is a SimulatedClock."""
    with clinic(database_url, DAY) as (app, _clock):
        yield app


def _users(app: App) -> int:
    with app.transaction() as session:
        return session.exec(select(func.count()).select_from(UserRow)).one()


def test_the_password_is_stored_only_as_an_argon2_hash(tmp_path: Path):
    with clinic(f"sqlite:///{tmp_path}/clinic.db", DAY) as (app, _):
        add_user(app, "anna", "clinician", PASSWORD, by="system")
        with app.transaction() as session:
            stored = session.exec(select(UserRow.password_hash)).one()
    assert stored.startswith("$argon2id$")
    written = b"".join(p.read_bytes() for p in tmp_path.glob("clinic.db*"))
    assert b"anna" in written
    assert PASSWORD.encode() not in written


def test_the_right_password_signs_in_and_a_wrong_one_does_not(app):
    add_user(app, "anna", "clinician", PASSWORD, by="system")
    assert authenticate(app, "anna", PASSWORD) == ANNA
    assert authenticate(app, "anna", PASSWORD + "!") is None
    assert authenticate(app, "anna", "") is None
    assert authenticate(app, "nobody", PASSWORD) is None


def test_an_unknown_username_costs_an_argon2_verification_too(app, monkeypatch):
    spent: list[str] = []
    monkeypatch.setattr(users_module, "spend_verify", spent.append)
    assert authenticate(app, "nobody", PASSWORD) is None
    assert spent == [PASSWORD]


def test_a_deactivated_account_cannot_sign_in_nor_use_its_session_or_tokens(app):
    add_user(app, "anna", "clinician", PASSWORD, by="system")
    cookie, _ = open_session(app, ANNA)
    token = issue_token(app, "anna", "lab import", by="system")
    assert account_for_token(app, token) == ANNA
    deactivate_user(app, "anna", by="system")
    assert authenticate(app, "anna", PASSWORD) is None
    assert session_for(app, cookie) is None
    assert account_for_token(app, token) is None
    assert [(u.username, u.active) for u in list_users(app)] == [("anna", False)]


def test_a_new_password_replaces_the_old_one_and_ends_open_sessions(app):
    add_user(app, "anna", "clinician", PASSWORD, by="system")
    cookie, _ = open_session(app, ANNA)
    set_password(app, "anna", "Another-Long-Password", by="system")
    assert authenticate(app, "anna", PASSWORD) is None
    assert authenticate(app, "anna", "Another-Long-Password") == ANNA
    assert session_for(app, cookie) is None


def test_an_issued_token_acts_for_its_user_and_is_stored_only_as_a_keyed_digest(app):
    add_user(app, "anna", "clinician", PASSWORD, by="system")
    token = issue_token(app, "anna", "lab import", by="system")
    prefix, token_id, secret = token.split("_", 2)
    assert prefix == "ildp" and len(secret) >= 32
    assert account_for_token(app, token) == ANNA
    assert account_for_token(app, token) == ANNA
    with app.transaction() as session:
        row = session.get(ApiTokenRow, int(token_id))
    assert row is not None
    scheme, key_id, digest = row.token_hash.split("$")
    assert (scheme, key_id) == ("hmac-sha256", app.sql.keyring.current)
    assert len(digest) == 64 and secret not in row.token_hash
    assert digest not in (
        hashlib.sha256(token.encode()).hexdigest(),
        hashlib.sha256(secret.encode()).hexdigest(),
    )


@pytest.mark.parametrize(
    "forged",
    [
        "",
        "ildp",
        "ildp_1",
        "ildp_x_" + "a" * 43,
        "Bearer abc",
        "ildp_1_" + "a" * 43,
        "ildp_" + "9" * 30 + "_" + "a" * 43,
        "ildp_2147483648_" + "a" * 43,
        "ildp_0_" + "a" * 43,
    ],
)
def test_a_malformed_or_forged_token_is_refused(app, forged):
    add_user(app, "anna", "clinician", PASSWORD, by="system")
    issue_token(app, "anna", "lab import", by="system")
    assert account_for_token(app, forged) is None


def test_a_token_with_a_changed_secret_is_refused_even_after_the_right_one_was_used(app):
    add_user(app, "anna", "clinician", PASSWORD, by="system")
    token = issue_token(app, "anna", "lab import", by="system")
    assert account_for_token(app, token) == ANNA
    assert account_for_token(app, token[:-1] + ("A" if token[-1] != "A" else "B")) is None


def test_a_revoked_token_is_refused_at_once_though_it_was_just_verified(app):
    add_user(app, "anna", "clinician", PASSWORD, by="system")
    token = issue_token(app, "anna", "lab import", by="system")
    assert account_for_token(app, token) == ANNA
    token_id = int(token.split("_")[1])
    revoke_token(app, token_id, by="system")
    assert account_for_token(app, token) is None
    [entry] = list_tokens(app, "anna")
    assert entry.id == token_id and entry.revoked_at is not None


def test_a_token_revoked_by_another_process_is_refused_at_once(database_url):
    with clinic(database_url, DAY) as (api, _), clinic(database_url, DAY) as (admin, _):
        add_user(admin, "anna", "clinician", PASSWORD, by="system")
        token = issue_token(admin, "anna", "lab import", by="system")
        assert account_for_token(api, token) == ANNA
        with admin.transaction() as session:  # as another process would: no cache to clear
            row = session.get(ApiTokenRow, int(token.split("_")[1]))
            assert row is not None
            row.revoked_at = admin.clock.now()
            session.add(row)
        assert account_for_token(api, token) is None


def test_token_use_is_recorded_at_most_once_a_minute(app):
    add_user(app, "anna", "clinician", PASSWORD, by="system")
    token = issue_token(app, "anna", "lab import", by="system")
    account_for_token(app, token)
    [first] = list_tokens(app, "anna")
    account_for_token(app, token)
    assert list_tokens(app, "anna")[0].last_used_at == first.last_used_at
    app.clock.move_to(DAY + timedelta(days=1))
    account_for_token(app, token)
    [later] = list_tokens(app, "anna")
    assert first.last_used_at is not None and later.last_used_at is not None
    assert later.last_used_at - first.last_used_at > timedelta(hours=23)


def test_revoking_an_unknown_token_or_a_token_for_an_unknown_user_is_refused(app):
    with pytest.raises(TokenNotFound, match="no API token with id 9"):
        revoke_token(app, 9, by="system")
    with pytest.raises(TokenNotFound):
        revoke_token(app, 2**31, by="system")
    with pytest.raises(UserNotFound, match="username: no user 'nobody'"):
        issue_token(app, "nobody", "lab import", by="system")


def test_a_session_gives_its_account_and_csrf_token_until_it_expires(app):
    add_user(app, "anna", "clinician", PASSWORD, by="system")
    cookie, csrf = open_session(app, ANNA, hours=12)
    assert cookie != csrf
    assert session_for(app, cookie) == (ANNA, csrf)
    assert session_for(app, cookie + "x") is None
    app.clock.move_to(DAY + timedelta(days=1))
    assert session_for(app, cookie) is None


def test_closing_a_session_signs_out_at_once(app):
    add_user(app, "anna", "clinician", PASSWORD, by="system")
    cookie, _ = open_session(app, ANNA)
    other, _ = open_session(app, ANNA)
    close_session(app, cookie)
    close_session(app, "never-issued")
    assert session_for(app, cookie) is None
    assert session_for(app, other) is not None


@pytest.mark.parametrize(
    ("username", "role", "password", "field"),
    [
        ("Anna", "clinician", PASSWORD, "username"),
        ("a", "clinician", PASSWORD, "username"),
        ("anna\n", "clinician", PASSWORD, "username"),
        ("-anna", "clinician", PASSWORD, "username"),
        ("anna", "system", PASSWORD, "role"),
        ("anna", "nurse", PASSWORD, "role"),
        ("anna", "clinician", "short-pw", "password"),
    ],
)
def test_a_refused_account_names_the_field_and_writes_nothing(app, username, role, password, field):
    with pytest.raises(InvalidValue) as refused:
        add_user(app, username, role, password, by="system")
    assert refused.value.field == field
    assert str(refused.value).startswith(f"{field}: ")
    assert password not in str(refused.value)
    if field == "role":
        assert "coordinator, clinician, auditor, admin" in str(refused.value)
    assert _users(app) == 0


def test_a_username_is_taken_once(app):
    add_user(app, "anna", "clinician", PASSWORD, by="system")
    with pytest.raises(UsernameTaken, match="username: 'anna' is already taken"):
        add_user(app, "anna", "admin", PASSWORD, by="system")
    assert _users(app) == 1


def test_demo_accounts_are_told_apart(app):
    add_user(app, "anna", "clinician", PASSWORD, by="system")
    add_user(app, "demo-admin", "admin", PASSWORD, demo=True, by="system")
    assert demo_accounts(app) == ["demo-admin"]
    assert [(u.username, u.demo) for u in list_users(app)] == [
        ("anna", False),
        ("demo-admin", True),
    ]
