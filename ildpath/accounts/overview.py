"""What the admin sees of each account at a glance: its role and address, whether it is
active, when its person last signed in (while known) and how many API tokens it holds.

Read-only, three queries whatever the number of accounts. The last sign-in is read from the
dashboard sessions still stored: signing out or a session's expiry forgets it, so it is
"if known", never a claim that someone has not signed in.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select

from persistence.account_tables import ApiTokenRow, UserRow, WebSessionRow

from ..bootstrap import App
from .errors import UserNotFound

__all__ = ["AccountSummary", "account_summaries", "account_summary"]


@dataclass(frozen=True)
class AccountSummary:
    username: str
    role: str
    email: str | None
    active: bool
    demo: bool
    created_at: datetime
    last_sign_in: datetime | None
    """The newest dashboard session still stored; None when none is."""
    live_tokens: int
    """API tokens not revoked (they work while the account is active)."""
    revoked_tokens: int


def account_summaries(app: App) -> list[AccountSummary]:
    """Every account, active or not, by username."""
    with app.transaction() as session:
        users = session.exec(select(UserRow).order_by(col(UserRow.username))).all()
        signed_in = dict(
            session.exec(
                select(WebSessionRow.user_id, func.max(WebSessionRow.created_at)).group_by(
                    col(WebSessionRow.user_id)
                )
            ).all()
        )
        counts = session.exec(
            select(
                ApiTokenRow.user_id,
                col(ApiTokenRow.revoked_at).is_(None),
                func.count(),
            ).group_by(col(ApiTokenRow.user_id), col(ApiTokenRow.revoked_at).is_(None))
        ).all()
    live = {user_id: n for user_id, alive, n in counts if alive}
    revoked = {user_id: n for user_id, alive, n in counts if not alive}
    return [
        AccountSummary(
            u.username,
            u.role,
            u.email,
            u.active,
            u.demo,
            u.created_at,
            signed_in.get(u.id or 0),
            live.get(u.id or 0, 0),
            revoked.get(u.id or 0, 0),
        )
        for u in users
    ]


def account_summary(app: App, username: str) -> AccountSummary:
    """One account's summary; `UserNotFound` if there is no such username."""
    for found in account_summaries(app):
        if found.username == username:
            return found
    raise UserNotFound(username)
