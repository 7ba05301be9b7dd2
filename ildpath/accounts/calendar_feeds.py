"""Calendar feeds: a user's subscription address, ``/calendar/<secret>.ics``.

Calendar apps (Outlook, Google, Apple) poll a URL and cannot send a header, so the secret is
in the URL itself: 256 random bits, shown once, stored only as its digest. Whoever holds the
address reads the tasks it lists, so issuing one is a grant of access like an API token: the
accounts chain records it and its revocation, and only the user themself or an admin may do
either. A revoked feed, a deactivated user's feed and an unknown secret all look the same
from outside (no feed), so the address tells nothing about the account behind it.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from pathway.errors import InvalidValue
from persistence.account_chain import account_line, account_update_line
from persistence.account_tables import CalendarFeedRow, UserRow
from persistence.changes import Actor

from ..bootstrap import App
from .chained import in_account_change, own_name, record_event
from .errors import FeedNotFound, FeedNotYours
from .users import find_user

__all__ = [
    "FEED_SCOPES",
    "Feed",
    "FeedEntry",
    "IssuedFeed",
    "feed_for_token",
    "feed_path",
    "feed_token_digest",
    "issue_feed",
    "list_feeds",
    "revoke_feed",
]

FEED_SCOPES = {
    "mine": "the open tasks assigned to the user",
    "all": "every open task of the cohort",
}
"""What a feed lists, by its scope."""

_SECRET_BYTES = 32
_SECRET = re.compile(r"[A-Za-z0-9_-]{43}")
"""`secrets.token_urlsafe(32)`'s shape: anything else is not looked up."""
_TOUCH_EVERY = timedelta(minutes=1)
_ID_LIMIT = 2**31


@dataclass(frozen=True)
class Feed:
    """A live feed, as the calendar route needs it."""

    id: int
    username: str
    scope: str
    created_at: datetime
    role: str = ""
    """The user's role when the feed was read: the access log names who saw the patients."""

    @property
    def actor(self) -> Actor:
        """The feed's user, as the access log records a reader."""
        return Actor(self.username, self.role)


@dataclass(frozen=True)
class FeedEntry:
    id: int
    username: str
    scope: str
    created_at: datetime
    last_read_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class IssuedFeed:
    """A feed just issued, with its secret: the only time the secret exists outside the
    calendar app that subscribes to it."""

    id: int
    username: str
    scope: str
    token: str

    @property
    def path(self) -> str:
        return feed_path(self.token)


def feed_path(token: str) -> str:
    return f"/calendar/{token}.ics"


def feed_token_digest(token: str) -> str:
    """What is stored of a feed's secret, and what a request's secret is looked up by. The
    one place that computes it, so it can become a keyed digest later without hunting for
    copies. A fast digest suffices: the secret is 256 random bits, not a password."""
    return hashlib.sha256(token.encode()).hexdigest()


def _check_scope(scope: str) -> str:
    if scope not in FEED_SCOPES:
        allowed = "; ".join(f"{name} ({means})" for name, means in FEED_SCOPES.items())
        raise InvalidValue("scope", scope, allowed)
    return scope


def _check_may(session: Session, by: str, by_role: str | None, username: str) -> None:
    """The user themself or an admin: a feed reads the tasks. The role is as the edge gives
    it (a dashboard session's account, the terminal's declared role), else the account
    named by ``by``, which must be active."""
    name = own_name(by)
    if name == username:
        return
    if by_role is None:
        acting = session.exec(select(UserRow).where(UserRow.username == name)).first()
        by_role = acting.role if acting is not None and acting.active else None
    if by_role != "admin":
        raise FeedNotYours(name, username)


def issue_feed(
    app: App, username: str, scope: str = "mine", *, by: str, by_role: str | None = None
) -> IssuedFeed:
    """A new feed of ``username``'s tasks (``scope``: `FEED_SCOPES`), its secret returned
    this once. Refused, writing nothing: a bad scope, an unknown or deactivated user, or
    ``by`` neither that user nor an admin."""
    _check_scope(scope)

    def work(session: Session) -> IssuedFeed:
        user = find_user(session, username)
        if not user.active:
            raise InvalidValue("username", username, "an active account")
        _check_may(session, by, by_role, username)
        token = secrets.token_urlsafe(_SECRET_BYTES)
        row = CalendarFeedRow(
            username=username,
            token_digest=feed_token_digest(token),
            scope=scope,
            created_at=app.clock.now(),
        )
        session.add(row)
        session.flush()
        record_event(
            app,
            session,
            kind="calendar_feed_issued",
            by=by,
            by_role=by_role,
            subject=username,
            payload={"feed_id": row.id, "scope": scope},
            rows=[account_line("calendar_feed", row)],
        )
        return IssuedFeed(row.id or 0, username, scope, token)

    return in_account_change(app, work)


def revoke_feed(app: App, feed_id: int, *, by: str, by_role: str | None = None) -> FeedEntry:
    """The feed answers "no such feed" from its next read on; revoking twice keeps the first
    instant (and records nothing more)."""

    def work(session: Session) -> FeedEntry:
        row = session.get(CalendarFeedRow, feed_id) if 0 < feed_id < _ID_LIMIT else None
        if row is None:
            raise FeedNotFound(feed_id)
        _check_may(session, by, by_role, row.username)
        if row.revoked_at is None:
            row.revoked_at = app.clock.now()
            session.add(row)
            line = account_update_line("calendar_feed", feed_id, {"revoked_at": row.revoked_at})
            record_event(
                app,
                session,
                kind="calendar_feed_revoked",
                by=by,
                by_role=by_role,
                subject=row.username,
                payload={"feed_id": feed_id, "scope": row.scope},
                rows=[line] if line else [],
            )
        return _entry(row)

    return in_account_change(app, work)


def _entry(row: CalendarFeedRow) -> FeedEntry:
    return FeedEntry(
        row.id or 0, row.username, row.scope, row.created_at, row.last_read_at, row.revoked_at
    )


def list_feeds(app: App, username: str | None = None) -> list[FeedEntry]:
    """Feeds, oldest first (one user's, or everyone's), without anything usable as one."""
    with app.transaction() as session:
        query = select(CalendarFeedRow).order_by(col(CalendarFeedRow.id))
        if username is not None:
            find_user(session, username)
            query = query.where(CalendarFeedRow.username == username)
        return [_entry(row) for row in session.exec(query).all()]


def _touch(app: App, row: CalendarFeedRow) -> None:
    """Record the read, at most once a minute (the account page shows when it was last read,
    which tells a forgotten subscription from a live one)."""
    now = app.clock.now()
    if row.last_read_at is not None and now - row.last_read_at < _TOUCH_EVERY:
        return
    with app.transaction() as session:
        session.exec(
            update(CalendarFeedRow)
            .where(col(CalendarFeedRow.id) == row.id)
            .values(last_read_at=now)
        )


def feed_for_token(app: App, token: str) -> Feed | None:
    """The live feed a secret opens; None if malformed, unknown, revoked, or its user is
    deactivated (the caller answers all four alike)."""
    if not _SECRET.fullmatch(token):
        return None
    query = (
        select(CalendarFeedRow, UserRow.role)
        .join(UserRow, col(UserRow.username) == col(CalendarFeedRow.username))
        .where(CalendarFeedRow.token_digest == feed_token_digest(token))
        .where(col(CalendarFeedRow.revoked_at).is_(None))
        .where(col(UserRow.active))
    )
    with app.transaction() as session:
        found = session.exec(query).first()
        if found is not None:
            session.expunge(found[0])
    if found is None:
        return None
    row, role = found
    _touch(app, row)
    return Feed(row.id or 0, row.username, row.scope, row.created_at, role)
