"""Sign-in throttling, on SQLite and PostgreSQL: after five wrong passwords in a row the
account is locked for 1 s, then 2, 4, 8 ... up to the longest lock, whatever the password
typed meanwhile; the same per client address across accounts; unknown names alike; shared by
every process; a lock beginning and an admin's unlock are events on the accounts chain, and
`audit verify` stays clean."""

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from ildpath.accounts import (
    Account,
    TooManyAttempts,
    UserNotFound,
    add_user,
    lock_of,
    locked_usernames,
    sign_in,
    unlock_account,
)
from ildpath.bootstrap import App, bootstrap
from ildpath.settings import Settings
from ildpath.usecases.audit import verify_audit

from .moving_clock import MovingClock

PASSWORD = "correct-horse-battery"
WRONG = "not-the-password-at-all"
WARD = "10.1.2.3"
ANNA = Account("anna", "clinician")


@pytest.fixture
def clock() -> MovingClock:
    return MovingClock()


def _app(database_url: str, clock: MovingClock, **settings: object) -> App:
    return bootstrap(Settings(database_url=database_url, **settings), clock)  # type: ignore[arg-type]


@pytest.fixture
def app(database_url: str, clock: MovingClock) -> Iterator[App]:
    clinic = _app(database_url, clock, sign_in_longest_lock_seconds=30)
    try:
        add_user(clinic, "admin.rossi", "admin", PASSWORD, by="system")
        add_user(clinic, "anna", "clinician", PASSWORD, by="admin.rossi")
        yield clinic
    finally:
        clinic.engine.dispose()


def _events(app: App) -> list[tuple[str, str, str]]:
    """The accounts chain's sign-in events: (kind, actor, subject)."""
    with app.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT kind, actor, subject FROM account_event WHERE kind LIKE 'sign_in%' "
                "ORDER BY seq"
            )
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_five_wrong_passwords_lock_the_account_and_each_further_one_doubles_the_lock(
    app: App, clock: MovingClock
) -> None:
    for _ in range(4):
        assert sign_in(app, "anna", WRONG, WARD) is None
    assert lock_of(app, "anna") is not None and locked_usernames(app) == set()
    assert sign_in(app, "anna", WRONG, WARD) is None  # the fifth: locked from now on
    assert sign_in(app, "anna", PASSWORD, WARD) == TooManyAttempts(1)
    assert locked_usernames(app) == {"anna"}
    waits = []
    for _ in range(7):
        found = sign_in(app, "anna", WRONG, WARD)
        assert isinstance(found, TooManyAttempts)  # locked: the password is not even read
        clock.move_on(found.seconds)
        assert sign_in(app, "anna", WRONG, WARD) is None
        waits.append(found.seconds)
    assert waits == [1, 2, 4, 8, 16, 30, 30]  # doubling, up to the longest lock (30 s here)
    assert sign_in(app, "anna", PASSWORD, "10.9.9.9") == TooManyAttempts(30)


def test_a_right_password_after_the_lock_signs_in_and_clears_the_count(
    app: App, clock: MovingClock
) -> None:
    for _ in range(5):
        sign_in(app, "anna", WRONG, WARD)
    clock.move_on(1)
    assert sign_in(app, "anna", PASSWORD, WARD) == ANNA
    assert lock_of(app, "anna") is None
    for _ in range(4):
        assert sign_in(app, "anna", WRONG, WARD) is None
    assert sign_in(app, "anna", PASSWORD, WARD) == ANNA  # counted from zero again


def test_failures_are_forgotten_a_day_after_the_last(app: App, clock: MovingClock) -> None:
    for _ in range(4):
        sign_in(app, "anna", WRONG, WARD)
    clock.move_on(24 * 3600 + 1)
    assert lock_of(app, "anna") is None
    assert sign_in(app, "anna", WRONG, WARD) is None
    assert lock_of(app, "anna") is not None and lock_of(app, "anna").failures == 1  # type: ignore[union-attr]


def test_one_address_guessing_across_accounts_is_locked_for_every_account(
    database_url: str, clock: MovingClock
) -> None:
    app = _app(database_url, clock, sign_in_failures_per_address=3)
    try:
        add_user(app, "anna", "clinician", PASSWORD, by="system")
        for name in ("anna", "ben", "cleo"):  # one guess each: no account reaches five
            assert sign_in(app, name, WRONG, "203.0.113.7") is None
        assert sign_in(app, "anna", PASSWORD, "203.0.113.7") == TooManyAttempts(1)
        assert sign_in(app, "anna", PASSWORD, WARD) == ANNA  # another address: not locked
        assert _events(app) == [("sign_in_locked", "system", "address 203.0.113.7")]
        assert verify_audit(app).findings == []
    finally:
        app.engine.dispose()


def test_a_name_that_is_no_account_is_locked_alike_but_not_chained(app: App) -> None:
    for _ in range(5):
        assert sign_in(app, "nobody", WRONG, WARD) is None
    assert sign_in(app, "nobody", WRONG, WARD) == TooManyAttempts(1)
    assert _events(app) == []


def test_the_count_is_shared_by_every_process(database_url: str, clock: MovingClock) -> None:
    one, other = _app(database_url, clock), _app(database_url, clock)
    try:
        add_user(one, "anna", "clinician", PASSWORD, by="system")
        for app in (one, other, one, other, one):
            assert sign_in(app, "anna", WRONG, WARD) is None
        assert sign_in(other, "anna", PASSWORD, WARD) == TooManyAttempts(1)
    finally:
        one.engine.dispose()
        other.engine.dispose()


def test_a_lock_beginning_and_an_admin_unlock_are_chained_and_verify_clean(
    app: App,
) -> None:
    for _ in range(6):
        sign_in(app, "anna", WRONG, WARD)
    assert isinstance(sign_in(app, "anna", PASSWORD, WARD), TooManyAttempts)
    assert unlock_account(app, "anna", by="admin.rossi") is True
    assert sign_in(app, "anna", PASSWORD, WARD) == ANNA
    assert unlock_account(app, "anna", by="cli:it-desk", by_role="admin") is False
    assert _events(app) == [
        ("sign_in_locked", "system", "anna"),  # once, though the sixth failure doubled it
        ("sign_in_unlocked", "admin.rossi", "anna"),
    ]
    report = verify_audit(app)
    assert report.findings == [] and report.account_events == 4
    with pytest.raises(UserNotFound):
        unlock_account(app, "nobody", by="admin.rossi")


def test_a_name_no_database_stores_is_refused_and_counted_not_a_server_error(app: App) -> None:
    for name in ("anna\x00", "\ud800", "x" * 300):  # a NUL, an unpaired surrogate, too long
        for _ in range(5):
            assert sign_in(app, name, WRONG, WARD) is None
        assert sign_in(app, name, PASSWORD, WARD) == TooManyAttempts(1)
    assert sign_in(app, "anna", PASSWORD, WARD) == ANNA
