"""Failed sign-ins, counted in the database so that every web process shares them.

One row per thing a guesser can be stopped on: an account (``account:<username as typed>``)
and a client address (``address:<host>``). The counters are volatile working state, like a
dashboard session: they are not on the accounts chain (a lockout beginning and an admin's
unlock are, as events), and `audit verify` does not compare them. No ``from __future__ import
annotations`` here: SQLModel reads the annotations at class creation.
"""

from datetime import datetime

from sqlmodel import Field, SQLModel

from .tables import _utc, _utc_nullable

__all__ = ["KEY_LENGTH", "SignInThrottleRow"]

KEY_LENGTH = 160
"""Long enough for ``address:`` and any IPv6 text, or ``account:`` and a typed username
(cut to fit: a longer one is no account anyway)."""


class SignInThrottleRow(SQLModel, table=True):
    """Failed sign-ins in a row on one account or from one address, and the lock they set."""

    __tablename__ = "sign_in_throttle"

    key: str = Field(primary_key=True, max_length=KEY_LENGTH)
    failures: int = 0
    """Failed sign-ins in a row (forgotten a day after the last one)."""
    last_failure_at: datetime = _utc()
    locked_until: datetime | None = _utc_nullable()
    """Sign-in is refused (HTTP 429) before this instant, without checking the password."""
