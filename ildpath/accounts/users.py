"""People who sign in: add, authenticate, change a password or a role, deactivate, list.

The roles are the command line's (`ildpath.roles.ROLES`), so a person is refused the same
things in the dashboard, the API and the terminal. ``system`` is the engine's own role and is
never given to a person.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from pathway.errors import InvalidValue
from persistence.account_chain import account_line, account_update_line
from persistence.account_tables import UserRow, WebSessionRow

from ..bootstrap import App
from ..roles import ROLES
from .chained import check_admin_left, in_account_change, own_name, record_event
from .errors import OwnAccountRefused, UsernameTaken, UserNotFound
from .hashing import hash_secret, spend_verify, verify_secret
from .passwords import MIN_PASSWORD, check_password

__all__ = [
    "MIN_PASSWORD",
    "PERSON_ROLES",
    "Account",
    "UserEntry",
    "add_user",
    "assignable",
    "authenticate",
    "chain_change",
    "change_role",
    "deactivate_user",
    "demo_accounts",
    "find_user",
    "has_users",
    "list_users",
    "reactivate_user",
    "set_email",
    "set_password",
    "well_formed",
]

PERSON_ROLES = tuple(role for role in ROLES if role != "system")
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class Account:
    """Who is signed in (or holds the token), and in which role they act."""

    username: str
    role: str


@dataclass(frozen=True)
class UserEntry:
    username: str
    role: str
    active: bool
    demo: bool
    created_at: datetime
    email: str | None = None


def well_formed(username: str) -> bool:
    """Whether ``username`` could name an account (the rule is public: saying so leaks
    nothing). Anything else is never looked up: PostgreSQL refuses some text (a NUL)."""
    return _USERNAME.fullmatch(username) is not None


def _check_username(username: str) -> None:
    if not well_formed(username):
        raise InvalidValue(
            "username",
            username,
            "2 to 64 characters: lower-case letters a-z, digits, '.', '_' or '-', "
            "starting with a letter or digit",
        )


def _check_role(role: str) -> None:
    if role not in PERSON_ROLES:
        raise InvalidValue("role", role, ", ".join(PERSON_ROLES))


def _check_email(email: str | None) -> str | None:
    """An optional address where the reminders of the tasks assigned to the user go (§8)."""
    if email is None or email == "":
        return None
    if len(email) > 254 or not _EMAIL.fullmatch(email):
        raise InvalidValue(
            "email", email, "an email address (name@example.org), at most 254 characters"
        )
    return email


def find_user(session: Session, username: str) -> UserRow:
    user = session.exec(select(UserRow).where(UserRow.username == username)).first()
    if user is None:
        raise UserNotFound(username)
    return user


def add_user(
    app: App,
    username: str,
    role: str,
    password: str,
    *,
    by: str,
    by_role: str | None = None,
    demo: bool = False,
    email: str | None = None,
) -> Account:
    """Create an active account; every value is checked before anything is written. ``by``
    is who adds it (``system`` for the first admin or the demo accounts)."""
    _check_username(username)
    _check_role(role)
    check_password(password, username)
    email = _check_email(email)
    hashed = hash_secret(password)  # slow on purpose: done before the write lock is taken

    def work(session: Session) -> None:
        if session.exec(select(UserRow.id).where(UserRow.username == username)).first():
            raise UsernameTaken(username)
        row = UserRow(
            username=username,
            role=role,
            password_hash=hashed,
            demo=demo,
            created_at=app.clock.now(),
            email=email,
        )
        session.add(row)
        session.flush()
        record_event(
            app,
            session,
            kind="user_added",
            by=by,
            by_role=by_role,
            subject=username,
            payload={"role": role, "demo": demo, "email": email},
            rows=[account_line("user_account", row)],
        )

    try:
        in_account_change(app, work)
    except IntegrityError:  # the same name added at the same moment by someone else
        raise UsernameTaken(username) from None
    return Account(username, role)


def authenticate(app: App, username: str, password: str) -> Account | None:
    """The account if the password is right and the account active, else None (the caller
    says only "wrong username or password", whichever it was)."""
    user = None
    if well_formed(username):
        with app.transaction() as session:
            user = session.exec(select(UserRow).where(UserRow.username == username)).first()
    if user is None:
        spend_verify(password)
        return None
    if not verify_secret(user.password_hash, password) or not user.active:
        return None
    return Account(user.username, user.role)


def chain_change(
    app: App,
    session: Session,
    user: UserRow,
    kind: str,
    by: str,
    by_role: str | None,
    values: dict[str, object],
    payload: dict[str, object],
) -> None:
    """Set ``values`` on ``user`` and chain the change (the columns it set as its line)."""
    for name, value in values.items():
        setattr(user, name, value)
    session.add(user)
    line = account_update_line("user_account", user.id or 0, values)
    record_event(
        app,
        session,
        kind=kind,
        by=by,
        by_role=by_role,
        subject=user.username,
        payload=payload,
        rows=[line] if line else [],
    )


def set_password(
    app: App, username: str, password: str, *, by: str, by_role: str | None = None
) -> None:
    """Replace the password and end the user's dashboard sessions, so a reset after a
    suspected leak also locks out whoever used the old one. The chain records a digest of
    the new hash (a change is detectable; the hash is not copied)."""
    check_password(password, username)
    hashed = hash_secret(password)

    def work(session: Session) -> None:
        user = find_user(session, username)
        chain_change(app, session, user, "password_set", by, by_role, {"password_hash": hashed}, {})
        session.exec(delete(WebSessionRow).where(col(WebSessionRow.user_id) == user.id))

    in_account_change(app, work)


def set_email(
    app: App, username: str, email: str | None, *, by: str, by_role: str | None = None
) -> None:
    """Set (or, with None, remove) the address the user's assigned tasks' reminders go to."""
    checked = _check_email(email)

    def work(session: Session) -> None:
        user = find_user(session, username)
        values: dict[str, object] = {"email": checked}
        chain_change(app, session, user, "email_set", by, by_role, values, values)

    in_account_change(app, work)


def assignable(app: App, username: str) -> bool:
    """Whether a task may be assigned to ``username``: an existing, active account of a
    person (§8 Acting on a task)."""
    with app.transaction() as session:
        user = session.exec(select(UserRow).where(UserRow.username == username)).first()
    return user is not None and user.active and user.role in PERSON_ROLES


def change_role(
    app: App, username: str, role: str, *, by: str, by_role: str | None = None
) -> Account:
    """Give the account another role, from its next request on (sessions and tokens read the
    role afresh). ``by`` is who asks: nobody changes their own role (an admin demoting
    themselves could leave the clinic without one), and the last active admin is never
    demoted (`LastAdminRefused`)."""
    _check_role(role)

    def work(session: Session) -> None:
        user = find_user(session, username)
        if user.role == role:
            return
        if own_name(by) == username:
            raise OwnAccountRefused(username, "role", "change the role of")
        if user.role == "admin" and user.active:
            check_admin_left(session, username)
        payload: dict[str, object] = {"from": user.role, "to": role}
        chain_change(app, session, user, "role_changed", by, by_role, {"role": role}, payload)

    in_account_change(app, work)
    return Account(username, role)


def deactivate_user(app: App, username: str, *, by: str, by_role: str | None = None) -> None:
    """Refuse the account from now on (sign-in, sessions, tokens); kept, never deleted, so
    the audit trail's names still mean someone. ``by`` is who asks: nobody deactivates their
    own account, and the last active admin is never deactivated (`LastAdminRefused`)."""

    def work(session: Session) -> None:
        user = find_user(session, username)
        if own_name(by) == username:
            raise OwnAccountRefused(username, "username", "deactivate")
        if not user.active:
            return
        if user.role == "admin":
            check_admin_left(session, username)
        chain_change(app, session, user, "deactivated", by, by_role, {"active": False}, {})
        session.exec(delete(WebSessionRow).where(col(WebSessionRow.user_id) == user.id))

    in_account_change(app, work)


def reactivate_user(app: App, username: str, *, by: str, by_role: str | None = None) -> None:
    """Let a deactivated account sign in again (its old sessions stay ended; its tokens not
    revoked work again)."""

    def work(session: Session) -> None:
        user = find_user(session, username)
        if user.active:
            return
        chain_change(app, session, user, "reactivated", by, by_role, {"active": True}, {})

    in_account_change(app, work)


def list_users(app: App) -> list[UserEntry]:
    with app.transaction() as session:
        users = session.exec(select(UserRow).order_by(col(UserRow.username))).all()
    return [UserEntry(u.username, u.role, u.active, u.demo, u.created_at, u.email) for u in users]


def has_users(app: App) -> bool:
    """Whether any account exists (the first one may be created without an admin)."""
    with app.transaction() as session:
        return session.exec(select(func.count()).select_from(UserRow)).one() > 0


def demo_accounts(app: App) -> list[str]:
    """Usernames made by ``serve --demo`` (their passwords are published: warn about them)."""
    with app.transaction() as session:
        query = select(UserRow.username).where(col(UserRow.demo)).order_by(col(UserRow.username))
        return list(session.exec(query).all())
