"""SQLModel tables of the people who use the dashboard and the API, and their credentials.

Secrets are never stored: passwords and API tokens as argon2 hashes, a dashboard session by
the SHA-256 digest of its cookie value (the cookie is already 256 random bits, so a fast
digest suffices and a lookup by it stays cheap). Users are deactivated, never deleted, so
the names in the audit trail keep meaning someone. No ``from __future__ import annotations``
here: SQLModel reads the annotations at class creation.
"""

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .tables import _utc, _utc_nullable

__all__ = [
    "ApiTokenRow",
    "CalendarFeedRow",
    "ReminderPreferenceRow",
    "SavedListRow",
    "UserRow",
    "WebSessionRow",
]


class UserRow(SQLModel, table=True):
    """A person who signs in to the dashboard or holds API tokens, in one role."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    role: str = Field(max_length=32)
    password_hash: str = Field(sa_column=Column(Text, nullable=False))
    active: bool = True
    demo: bool = False
    """Made by ``serve --demo`` with a published password: never for real patients."""
    created_at: datetime = _utc()
    email: str | None = Field(default=None, max_length=254)
    """Optional: where the reminders of the tasks assigned to them go by email (§8)."""


class ApiTokenRow(SQLModel, table=True):
    """A named API token of a user; revoked, never deleted, so its use stays explainable."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    name: str = Field(max_length=64)
    token_hash: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = _utc()
    last_used_at: datetime | None = _utc_nullable()
    revoked_at: datetime | None = _utc_nullable()


class CalendarFeedRow(SQLModel, table=True):
    """A user's calendar subscription: a secret in a URL that calendar apps poll (they cannot
    send a header), found by its digest, so a stolen database yields no working address.
    Revoked, never deleted, like an API token: issuing one grants reading the tasks, and the
    accounts chain records it."""

    __tablename__ = "calendar_feed"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(foreign_key="user_account.username", max_length=64, index=True)
    token_digest: str = Field(max_length=64, unique=True)
    scope: str = Field(max_length=8)
    """``mine``: the tasks assigned to the user; ``all``: every open task of the cohort."""
    created_at: datetime = _utc()
    revoked_at: datetime | None = _utc_nullable()
    last_read_at: datetime | None = _utc_nullable()
    """When a calendar app last fetched it (at most once a minute): not part of the record."""


class WebSessionRow(SQLModel, table=True):
    """A signed-in dashboard session, found by the digest of its cookie value."""

    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    digest: str = Field(max_length=64, unique=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = _utc()
    expires_at: datetime = _utc()


class SavedListRow(SQLModel, table=True):
    """A coordinator's named working list: the board's query string, kept per user so the
    same filters come back with one click."""

    __tablename__ = "saved_list"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_saved_list_user_name"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    name: str = Field(max_length=60)
    query: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = _utc()


class ReminderPreferenceRow(SQLModel, table=True):
    """How a person wants their tasks' email reminders: one email each (``immediate``) or
    one ``digest`` a day at ``digest_hour`` in their own ``timezone`` (issue 21). A user
    without a row gets them immediately; critical-alert notices are immediate whatever it
    says. Keyed by username, like a task's assignee, so routing joins without the id."""

    __tablename__ = "reminder_preference"

    username: str = Field(max_length=64, primary_key=True, foreign_key="user_account.username")
    delivery: str = Field(max_length=16)
    digest_hour: int
    timezone: str = Field(max_length=64)
    updated_at: datetime = _utc()
