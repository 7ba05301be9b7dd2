"""An account change and its event on the accounts chain, in one transaction.

Every account-changing use case names who acts (``by``: a username, ``cli:<os user>`` at the
terminal, ``system`` for the first admin or the demo accounts) and writes through
`in_account_change`: the change, the accounts chain's next event (`persistence.account_chain`)
and the check that the clinic keeps an active admin commit together, or nothing does. Two
writers racing for the chain's next seq: the unique key refuses one, whose whole transaction
is run again (reading the head, and the admins, afresh), so the chain never forks and two
admins deactivated at once cannot both pass the last-admin check.
"""

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from persistence.account_chain import append_account_event
from persistence.account_tables import UserRow

from ..bootstrap import App
from .errors import LastAdminRefused

__all__ = ["acting_role", "check_admin_left", "in_account_change", "own_name", "record_event"]

T = TypeVar("T")
_ATTEMPTS = 8


def own_name(by: str) -> str:
    """The account name of who acts (``cli:anna`` acts as ``anna``)."""
    return by.removeprefix("cli:")


def acting_role(session: Session, by: str, role: str | None) -> str:
    """The role of who acts: as given (the terminal's declared role), else their account's,
    else ``system`` (the first admin, the demo accounts, a migration)."""
    if role:
        return role
    found = session.exec(select(UserRow.role).where(UserRow.username == own_name(by))).first()
    return found or "system"


def record_event(
    app: App,
    session: Session,
    *,
    kind: str,
    by: str,
    by_role: str | None,
    subject: str,
    payload: Mapping[str, Any],
    rows: list[str],
) -> None:
    """Append the change's event (who, in which role, to whom, what, the rows written)."""
    session.flush()
    append_account_event(
        session,
        app.sql.keyring,
        kind=kind,
        actor=by,
        role=acting_role(session, by, by_role),
        subject=subject,
        payload=payload,
        rows=rows,
        recorded_at=app.clock.now(),
    )


def check_admin_left(session: Session, username: str) -> None:
    """Refuse a change that would leave no active admin (the one being changed excluded)."""
    others = session.exec(
        select(func.count())
        .select_from(UserRow)
        .where(UserRow.role == "admin")
        .where(col(UserRow.active))
        .where(UserRow.username != username)
    ).one()
    if not others:
        raise LastAdminRefused(username)


def _lost_race(error: IntegrityError) -> bool:
    text = str(error.orig)
    return "account_event" in text


def in_account_change(app: App, work: Callable[[Session], T]) -> T:
    """Run ``work`` in one transaction; again, from the start, when another writer took the
    accounts chain's next seq first."""
    for attempt in range(_ATTEMPTS):
        try:
            with app.transaction() as session:
                return work(session)
        except IntegrityError as error:
            if not _lost_race(error) or attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")
