"""An admin changes an account's role and sees every account at a glance, alike on SQLite and
PostgreSQL: a wrong role is refused naming the field and the roles allowed, nobody demotes
or deactivates their own account, and a refused change writes nothing."""

from datetime import date, timedelta

import pytest

from ildpath.accounts import (
    Account,
    OwnAccountRefused,
    UserNotFound,
    account_for_token,
    account_summaries,
    account_summary,
    add_user,
    authenticate,
    change_role,
    deactivate_user,
    issue_token,
    list_users,
    open_session,
    revoke_token,
    session_for,
)
from pathway.errors import InvalidValue

from .apps import clinic

DAY = date(2026, 3, 2)
PASSWORD = "Ossigeno-Alto-2026"


@pytest.fixture
def app(database_url):
    with clinic(database_url, DAY) as (app, _clock):
        add_user(app, "admin.rossi", "admin", PASSWORD, by="admin.rossi")
        add_user(app, "anna", "coordinator", PASSWORD, by="admin.rossi")
        yield app


def _roles(app) -> dict[str, tuple[str, bool]]:
    return {u.username: (u.role, u.active) for u in list_users(app)}


def test_a_changed_role_applies_to_sign_in_sessions_and_tokens_at_once(app):
    cookie, _ = open_session(app, Account("anna", "coordinator"))
    token = issue_token(app, "anna", "lab import", by="admin.rossi")
    assert change_role(app, "anna", "clinician", by="admin.rossi") == Account("anna", "clinician")
    assert authenticate(app, "anna", PASSWORD) == Account("anna", "clinician")
    assert session_for(app, cookie)[0] == Account("anna", "clinician")
    assert account_for_token(app, token) == Account("anna", "clinician")


def test_a_role_that_does_not_exist_is_refused_naming_the_field_and_the_roles(app):
    before = _roles(app)
    with pytest.raises(InvalidValue) as refused:
        change_role(app, "anna", "system", by="admin.rossi")
    assert refused.value.field == "role"
    assert refused.value.allowed == "coordinator, clinician, auditor, admin"
    assert "role: 'system' is not allowed" in str(refused.value)
    with pytest.raises(InvalidValue):
        change_role(app, "anna", "superuser", by="admin.rossi")
    assert _roles(app) == before


def test_the_role_of_an_unknown_account_cannot_be_changed(app):
    with pytest.raises(UserNotFound, match="username: no user 'nobody'"):
        change_role(app, "nobody", "clinician", by="admin.rossi")


def test_an_admin_cannot_demote_themselves(app):
    before = _roles(app)
    with pytest.raises(OwnAccountRefused) as refused:
        change_role(app, "admin.rossi", "auditor", by="admin.rossi")
    assert refused.value.field == "role"
    assert "you may not change the role of your own account (admin.rossi)" in str(refused.value)
    assert "another admin can" in str(refused.value)
    assert _roles(app) == before
    assert change_role(app, "admin.rossi", "admin", by="admin.rossi").role == "admin"


def test_another_admin_may_demote_an_admin(app):
    add_user(app, "admin.bianchi", "admin", PASSWORD, by="admin.rossi")
    change_role(app, "admin.rossi", "auditor", by="admin.bianchi")
    assert _roles(app)["admin.rossi"] == ("auditor", True)


def test_an_admin_cannot_deactivate_themselves(app):
    cookie, _ = open_session(app, Account("admin.rossi", "admin"))
    with pytest.raises(OwnAccountRefused, match="may not deactivate your own account"):
        deactivate_user(app, "admin.rossi", by="admin.rossi")
    assert _roles(app)["admin.rossi"] == ("admin", True)
    assert session_for(app, cookie) is not None
    deactivate_user(app, "anna", by="admin.rossi")
    assert _roles(app)["anna"] == ("coordinator", False)


def test_the_overview_counts_live_and_revoked_tokens_and_knows_the_last_sign_in(app):
    first = issue_token(app, "anna", "lab import", by="admin.rossi")
    issue_token(app, "anna", "spare", by="admin.rossi")
    revoke_token(app, int(first.split("_")[1]), by="admin.rossi")
    open_session(app, Account("anna", "coordinator"))
    app.clock.move_to(DAY + timedelta(days=1))
    open_session(app, Account("anna", "coordinator"))
    overview = {a.username: a for a in account_summaries(app)}
    assert list(overview) == ["admin.rossi", "anna"]
    anna = overview["anna"]
    assert (anna.role, anna.active, anna.live_tokens, anna.revoked_tokens) == (
        "coordinator",
        True,
        1,
        1,
    )
    assert anna.last_sign_in is not None
    assert anna.last_sign_in.date() == DAY + timedelta(days=1)
    rossi = account_summary(app, "admin.rossi")
    assert (rossi.last_sign_in, rossi.live_tokens, rossi.revoked_tokens) == (None, 0, 0)
    with pytest.raises(UserNotFound):
        account_summary(app, "nobody")
