"""Sign-ons in progress: what ildpath must remember between sending the browser to the
identity provider and its coming back (the PKCE verifier, the nonce, the page asked for),
found by the digest of the ``state`` the provider hands back, and usable once within
`PENDING_MINUTES`. A state replayed, forged or late finds nothing.

Kept in the database, not only in a cookie, so that any web process can finish a sign-on
another began, and a used state is gone for all of them.
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import col

from persistence.sign_on_tables import OidcPendingRow

from ..bootstrap import App

__all__ = ["PENDING_MINUTES", "Pending", "keep_pending", "take_pending"]

PENDING_MINUTES = 10


@dataclass(frozen=True)
class Pending:
    code_verifier: str
    nonce: str
    next_path: str


def _digest(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def keep_pending(app: App, state: str, pending: Pending) -> None:
    """Remember a sign-on sent to the provider (sign-ons older than the limit are swept)."""
    now = app.clock.now()
    with app.transaction() as session:
        too_old = now - timedelta(minutes=PENDING_MINUTES)
        session.exec(delete(OidcPendingRow).where(col(OidcPendingRow.created_at) < too_old))
        session.add(
            OidcPendingRow(
                state_digest=_digest(state),
                code_verifier=pending.code_verifier,
                nonce=pending.nonce,
                next_path=pending.next_path,
                created_at=now,
            )
        )


def take_pending(app: App, state: str) -> Pending | None:
    """The sign-on ``state`` names, removed as it is read; None when unknown, used already,
    or older than `PENDING_MINUTES`."""
    with app.transaction() as session:
        digest = _digest(state)
        row = session.get(OidcPendingRow, digest)
        if row is None:
            return None
        taken = session.exec(
            delete(OidcPendingRow).where(col(OidcPendingRow.state_digest) == digest)
        )
        if taken.rowcount != 1:  # another request took it first
            return None
        fresh = app.clock.now() - row.created_at <= timedelta(minutes=PENDING_MINUTES)
        found = Pending(row.code_verifier, row.nonce, row.next_path)
    return found if fresh else None
