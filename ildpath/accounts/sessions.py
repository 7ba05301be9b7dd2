"""Dashboard sessions: a random cookie value held by the browser, its digest by the server.

Only the SHA-256 of the cookie value is stored, so reading the database does not let anyone
sign in as someone else. Each session carries its own CSRF token for the dashboard's forms.
Expiry is read from the application's clock, so tests (and the scenario runner) can move it.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import col, select

from persistence.account_tables import UserRow, WebSessionRow

from ..bootstrap import App
from .users import Account, find_user

__all__ = ["close_session", "open_session", "session_for"]


def _digest(cookie_value: str) -> str:
    return hashlib.sha256(cookie_value.encode()).hexdigest()


def open_session(app: App, account: Account, *, hours: int = 12) -> tuple[str, str]:
    """A new session for ``account``: (cookie value, CSRF token). Sessions already expired
    are swept here, so the table does not grow with every sign-in."""
    cookie_value, csrf_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = app.clock.now()
    with app.transaction() as session:
        user = find_user(session, account.username)
        session.exec(delete(WebSessionRow).where(col(WebSessionRow.expires_at) <= now))
        session.add(
            WebSessionRow(
                user_id=user.id or 0,
                digest=_digest(cookie_value),
                csrf_token=csrf_token,
                created_at=now,
                expires_at=now + timedelta(hours=hours),
            )
        )
    return cookie_value, csrf_token


def session_for(app: App, cookie_value: str) -> tuple[Account, str] | None:
    """(account, CSRF token) of a live session; None if unknown, expired or the user is
    deactivated. The role is read afresh, so a changed role applies at the next request."""
    digest = _digest(cookie_value)
    with app.transaction() as session:
        found = session.exec(
            select(WebSessionRow, UserRow)
            .join(UserRow, col(WebSessionRow.user_id) == col(UserRow.id))
            .where(WebSessionRow.digest == digest)
        ).first()
    if found is None:
        return None
    row, user = found
    if not hmac.compare_digest(row.digest, digest) or not user.active:
        return None
    if app.clock.now() >= row.expires_at:
        return None
    return Account(user.username, user.role), row.csrf_token


def close_session(app: App, cookie_value: str) -> None:
    """Sign out: the session ends at once (nothing happens for an unknown cookie)."""
    with app.transaction() as session:
        session.exec(
            delete(WebSessionRow).where(col(WebSessionRow.digest) == _digest(cookie_value))
        )
