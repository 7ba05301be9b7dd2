"""API tokens: issued to a user for scripts, shown once, stored only as a keyed digest.

A token reads ``ildp_<token id>_<secret>``: the id finds the row without scanning, the secret
(256 random bits) is what proves possession, checked against its HMAC-SHA-256
(`ildpath.accounts.token_digest`) in constant time: microseconds, so neither a busy script nor
a forged token with a real id costs the server an argon2 computation. Whether a token is
revoked, or its user deactivated, is read from the database on every call, so a revocation
takes effect at once, in every process.

A token issued before (stored as an argon2 hash) is checked with argon2 and, on its first
success, stored again as the keyed digest, with a ``token_rehashed`` event on the accounts
chain so `audit verify` still rebuilds the row.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, update
from sqlalchemy import select as core_select
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from pathway.errors import InvalidValue
from pathway.validation import check_text
from persistence.account_chain import account_line, account_update_line
from persistence.account_tables import ApiTokenRow, UserRow

from ..bootstrap import App
from .chained import in_account_change, record_event
from .errors import TokenNotFound
from .hashing import verify_secret
from .token_digest import SCHEME, is_keyed, keyed_digest, keyed_matches
from .users import Account, find_user

__all__ = [
    "TOKEN_PREFIX",
    "TokenEntry",
    "account_for_token",
    "issue_token",
    "list_tokens",
    "revoke_token",
]

TOKEN_PREFIX = "ildp"
_SECRET_BYTES = 32
_LONGEST = 128
_TOUCH_EVERY = timedelta(minutes=1)
_ID_LIMIT = 2**31
"""Ids are INTEGER columns: PostgreSQL refuses a larger number in the query itself."""

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TokenEntry:
    id: int
    username: str
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def _storable(token_id: int) -> bool:
    return 0 < token_id < _ID_LIMIT


def _token_id(token: str) -> int | None:
    """The id in a well-formed token, else None (nothing is looked up for garbage)."""
    prefix, _, rest = token.partition("_")
    id_text, _, secret = rest.partition("_")
    if prefix != TOKEN_PREFIX or len(token) > _LONGEST or len(secret) < 32:
        return None
    if not (id_text.isascii() and id_text.isdigit() and len(id_text) <= 10):
        return None
    return int(id_text) if _storable(int(id_text)) else None


def issue_token(app: App, username: str, name: str, *, by: str, by_role: str | None = None) -> str:
    """A new token for ``username``, returned in plain text this once and never again."""
    if not 1 <= len(name.strip()) <= 64:
        raise InvalidValue("name", name, "1 to 64 characters saying what the token is for")
    check_text("name", name)

    def work(session: Session) -> str:
        user = find_user(session, username)
        row = ApiTokenRow(
            user_id=user.id or 0, name=name.strip(), token_hash="", created_at=app.clock.now()
        )
        session.add(row)
        session.flush()
        token = f"{TOKEN_PREFIX}_{row.id}_{secrets.token_urlsafe(_SECRET_BYTES)}"
        row.token_hash = keyed_digest(app.sql.keyring, token)
        session.add(row)
        record_event(
            app,
            session,
            kind="token_issued",
            by=by,
            by_role=by_role,
            subject=username,
            payload={"token_id": row.id, "name": row.name},
            rows=[account_line("api_token", row)],
        )
        return token

    return in_account_change(app, work)


_TOKENS = ApiTokenRow.__table__  # type: ignore[attr-defined]
_USERS = UserRow.__table__  # type: ignore[attr-defined]
_LIVE = (
    core_select(
        _TOKENS.c.id,
        _TOKENS.c.token_hash,
        _TOKENS.c.last_used_at,
        _USERS.c.username,
        _USERS.c.role,
    )
    .join(_USERS, _TOKENS.c.user_id == _USERS.c.id)
    .where(_TOKENS.c.id == bindparam("token_id"))
    .where(_TOKENS.c.revoked_at.is_(None))
    .where(_USERS.c.active)
)
"""Built once: a forged token must cost a read, not the building of a query (the ORM's took
six times the read itself)."""


@dataclass(frozen=True)
class _Live:
    """A token not revoked, of an active user: what checking it needs."""

    id: int
    token_hash: str
    last_used_at: datetime | None
    account: Account


def _live(app: App, token_id: int) -> _Live | None:
    with app.engine.connect() as connection:
        found = connection.execute(_LIVE, {"token_id": token_id}).first()
    if found is None:
        return None
    return _Live(
        found.id, found.token_hash, found.last_used_at, Account(found.username, found.role)
    )


def _touch(app: App, row: _Live) -> None:
    """Record the use, at most once a minute (a busy script must not write on every call)."""
    now = app.clock.now()
    if row.last_used_at is not None and now - row.last_used_at < _TOUCH_EVERY:
        return
    with app.transaction() as session:
        session.exec(
            update(ApiTokenRow).where(col(ApiTokenRow.id) == row.id).values(last_used_at=now)
        )


def _rehash(app: App, token_id: int, token: str) -> None:
    """Store a token issued before as the keyed digest (once: a second process finding it
    done leaves it), chained so the rebuilt row matches."""

    def work(session: Session) -> None:
        row = session.get(ApiTokenRow, token_id)
        if row is None or is_keyed(row.token_hash):
            return
        row.token_hash = keyed_digest(app.sql.keyring, token)
        session.add(row)
        owner = session.get(UserRow, row.user_id)
        line = account_update_line("api_token", token_id, {"token_hash": row.token_hash})
        record_event(
            app,
            session,
            kind="token_rehashed",
            by="system",
            by_role="system",
            subject=owner.username if owner else str(row.user_id),
            payload={"token_id": token_id, "name": row.name, "scheme": SCHEME},
            rows=[line] if line else [],
        )

    in_account_change(app, work)


def _holds(app: App, row: _Live, token: str) -> bool:
    """Whether ``token`` is the row's: the keyed digest, or argon2 for a token issued before
    (re-hashed on success; if that write fails the token still works, checked slowly)."""
    if is_keyed(row.token_hash):
        return keyed_matches(app.sql.keyring, row.token_hash, token)
    if not verify_secret(row.token_hash, token):
        return False
    try:
        _rehash(app, row.id, token)
    except SQLAlchemyError as error:
        _log.warning("API token %s could not be re-hashed (checked with argon2): %s", row.id, error)
    return True


def account_for_token(app: App, token: str) -> Account | None:
    """The account a live token acts for; None if malformed, unknown, revoked, wrong, or its
    user is deactivated."""
    token_id = _token_id(token)
    if token_id is None:
        return None
    found = _live(app, token_id)
    if found is None or not _holds(app, found, token):
        return None
    _touch(app, found)
    return found.account


def revoke_token(app: App, token_id: int, *, by: str, by_role: str | None = None) -> None:
    """Refuse the token from the next call on; revoking twice keeps the first instant."""

    def work(session: Session) -> None:
        row = session.get(ApiTokenRow, token_id) if _storable(token_id) else None
        if row is None:
            raise TokenNotFound(token_id)
        if row.revoked_at is not None:
            return
        row.revoked_at = app.clock.now()
        session.add(row)
        owner = session.get(UserRow, row.user_id)
        line = account_update_line("api_token", token_id, {"revoked_at": row.revoked_at})
        record_event(
            app,
            session,
            kind="token_revoked",
            by=by,
            by_role=by_role,
            subject=owner.username if owner else str(row.user_id),
            payload={"token_id": token_id, "name": row.name},
            rows=[line] if line else [],
        )

    in_account_change(app, work)


def list_tokens(app: App, username: str) -> list[TokenEntry]:
    """A user's tokens, oldest first, without anything that could be used as one."""
    with app.transaction() as session:
        user = find_user(session, username)
        rows = session.exec(
            select(ApiTokenRow).where(ApiTokenRow.user_id == user.id).order_by(col(ApiTokenRow.id))
        ).all()
    return [
        TokenEntry(r.id or 0, username, r.name, r.created_at, r.last_used_at, r.revoked_at)
        for r in rows
    ]
