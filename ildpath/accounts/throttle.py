"""Sign-in throttling: after a few wrong passwords, an account (or a client address) is locked
for a second, then two, four ... up to a quarter of an hour.

NIST SP 800-63B asks a verifier to limit failed attempts on an account; locking for good
would let anyone lock a clinician out by typing their name, so the lock is short and grows
only while the failures go on. Counted per account (a guesser on one person) and per client
address (a guesser trying one password on every account), in the database
(`persistence.sign_in_tables`), so every web process sees the same counts.

A name that is no account is counted like one, so a lock tells nobody which names exist. A
lock beginning on an existing account (or on an address) and an admin's unlock are events on
the accounts chain; the counters themselves are volatile and not chained. Failures are
forgotten a day after the last one; a success clears the account's (not the address's: a
guesser holding one account must not clear the count of their guessing at the others).
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from persistence.account_tables import UserRow
from persistence.sign_in_tables import KEY_LENGTH, SignInThrottleRow

from ..bootstrap import App
from ..settings import Settings
from .chained import in_account_change, record_event
from .users import find_user, well_formed

__all__ = [
    "SignInLock",
    "account_key",
    "address_key",
    "count_failure",
    "forget_failures",
    "lock_of",
    "locked_for",
    "locked_usernames",
    "unlock_account",
]

FORGET_AFTER = timedelta(hours=24)
"""Failures older than this (since the last) start the count anew."""
_THROTTLE = SignInThrottleRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class SignInLock:
    """An account's failed sign-ins in a row and, while it lasts, the lock they set."""

    failures: int
    locked_until: datetime | None

    def seconds_left(self, now: datetime) -> int:
        """Whole seconds until sign-in is allowed again (0: not locked)."""
        if self.locked_until is None or self.locked_until <= now:
            return 0
        return math.ceil((self.locked_until - now).total_seconds())


def account_key(username: str) -> str:
    """The counter of a name as typed, escaped to ASCII (a NUL or an unpaired surrogate is
    text no database stores; a well-formed username stays as it is)."""
    return f"account:{username.encode('unicode_escape').decode('ascii')}"[:KEY_LENGTH]


def address_key(address: str) -> str:
    return f"address:{address}"[:KEY_LENGTH]


def lock_seconds(failures: int, threshold: int, longest: int) -> int:
    """The lock set by the ``failures``-th failure in a row: none before ``threshold``, then
    1 s, doubling with each further failure, at most ``longest``."""
    if failures < threshold:
        return 0
    return min(longest, 1 << min(failures - threshold, 30))


def _dialect_insert(session: Session) -> Any:
    """The INSERT that takes ON CONFLICT (both dialects have one; SQLAlchemy's core has not)."""
    name = session.get_bind().dialect.name
    return postgresql.insert if name == "postgresql" else sqlite.insert


def _failed(session: Session, key: str, now: datetime) -> int:
    """Count one failure on ``key`` in one statement (two processes counting at once both
    count); the failures in a row, this one included."""
    forgotten = col(SignInThrottleRow.last_failure_at) < now - FORGET_AFTER
    statement = (
        _dialect_insert(session)(_THROTTLE)
        .values(key=key, failures=1, last_failure_at=now, locked_until=None)
        .on_conflict_do_update(
            index_elements=["key"],
            set_={
                "failures": case((forgotten, 1), else_=_THROTTLE.c.failures + 1),
                "last_failure_at": now,
            },
        )
        .returning(_THROTTLE.c.failures)
    )
    return int(session.execute(statement).scalar_one())


def _lock(session: Session, key: str, until: datetime) -> None:
    session.execute(
        update(SignInThrottleRow)
        .where(col(SignInThrottleRow.key) == key)
        .values(locked_until=until)
    )


def locked_for(app: App, username: str, address: str) -> int:
    """Whole seconds before ``username`` may try again from ``address`` (0: now): the longer
    of the account's and the address's lock. Read before any password is hashed."""
    now = app.clock.now()
    keys = [account_key(username), address_key(address)]
    with app.transaction() as session:
        rows = session.exec(select(SignInThrottleRow).where(col(SignInThrottleRow.key).in_(keys)))
        locks = [SignInLock(row.failures, row.locked_until) for row in rows]
    return max((lock.seconds_left(now) for lock in locks), default=0)


@dataclass(frozen=True)
class _Begun:
    """A lock that began with this failure: what the accounts chain records."""

    subject: str
    payload: dict[str, object]


def _count(
    session: Session, key: str, threshold: int, settings: Settings, now: datetime
) -> tuple[int, int]:
    failures = _failed(session, key, now)
    seconds = lock_seconds(failures, threshold, settings.sign_in_longest_lock_seconds)
    if seconds:
        _lock(session, key, now + timedelta(seconds=seconds))
    return failures, seconds


def count_failure(app: App, username: str, address: str) -> int:
    """Count a wrong password for ``username`` from ``address``; the seconds the longer lock
    it set lasts (0: none yet). The failure that starts a lock is chained."""
    settings, now = app.settings, app.clock.now()
    begun: list[_Begun] = []
    with app.transaction() as session:
        failures, by_account = _count(
            session, account_key(username), settings.sign_in_failures, settings, now
        )
        exists = (
            well_formed(username)
            and session.exec(select(UserRow.id).where(UserRow.username == username)).first()
        )
        if failures == settings.sign_in_failures and exists:
            payload = {"failures": failures, "seconds": by_account, "address": address}
            begun.append(_Begun(username, payload))
        failures, by_address = _count(
            session, address_key(address), settings.sign_in_failures_per_address, settings, now
        )
        if failures == settings.sign_in_failures_per_address:
            payload = {"failures": failures, "seconds": by_address, "address": address}
            begun.append(_Begun(f"address {address}"[:64], payload))
    for lock in begun:
        _chain_lock(app, lock)
    return max(by_account, by_address)


def _chain_lock(app: App, lock: _Begun) -> None:
    def work(session: Session) -> None:
        record_event(
            app,
            session,
            kind="sign_in_locked",
            by="system",
            by_role="system",
            subject=lock.subject,
            payload=lock.payload,
            rows=[],
        )

    in_account_change(app, work)


def forget_failures(app: App, username: str) -> None:
    """A right password: the account's failures are forgotten (its address's are not)."""
    with app.transaction() as session:
        session.execute(
            delete(SignInThrottleRow).where(col(SignInThrottleRow.key) == account_key(username))
        )


def lock_of(app: App, username: str) -> SignInLock | None:
    """The account's failed sign-ins in a row and their lock; None when there are none."""
    with app.transaction() as session:
        row = session.get(SignInThrottleRow, account_key(username))
    if row is None or row.last_failure_at < app.clock.now() - FORGET_AFTER:
        return None
    return SignInLock(row.failures, row.locked_until)


def locked_usernames(app: App) -> set[str]:
    """The accounts whose sign-in is locked now (for the admin's list)."""
    now = app.clock.now()
    prefix = account_key("")
    with app.transaction() as session:
        keys = session.exec(
            select(SignInThrottleRow.key)
            .where(col(SignInThrottleRow.key).startswith(prefix))
            .where(col(SignInThrottleRow.locked_until) > now)
        ).all()
    return {key.removeprefix(prefix) for key in keys}


def unlock_account(app: App, username: str, *, by: str, by_role: str | None = None) -> bool:
    """An admin lets ``username`` sign in again at once: its failures are forgotten, and the
    unlock chained. Whether there was anything to unlock (nothing is chained otherwise)."""

    def work(session: Session) -> bool:
        find_user(session, username)
        row = session.get(SignInThrottleRow, account_key(username))
        if row is None:
            return False
        payload = {
            "failures": row.failures,
            "locked_until": row.locked_until.isoformat() if row.locked_until else None,
        }
        session.delete(row)
        record_event(
            app,
            session,
            kind="sign_in_unlocked",
            by=by,
            by_role=by_role,
            subject=username,
            payload=payload,
            rows=[],
        )
        return True

    return in_account_change(app, work)
