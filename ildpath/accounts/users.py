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
from persistence.account_tables import UserRow, WebSessionRow

from ..bootstrap import App
from ..roles import ROLES
from .errors import OwnAccountRefused, UsernameTaken, UserNotFound
from .hashing import hash_secret, spend_verify, verify_secret

__all__ = [
    "PERSON_ROLES",
    "Account",
    "UserEntry",
    "add_user",
    "assignable",
    "authenticate",
    "change_role",
    "deactivate_user",
    "demo_accounts",
    "find_user",
    "has_users",
    "list_users",
    "set_email",
    "set_password",
]

PERSON_ROLES = tuple(role for role in ROLES if role != "system")
MIN_PASSWORD = 12
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


def _check_username(username: str) -> None:
    if not _USERNAME.fullmatch(username):
        raise InvalidValue(
            "username",
            username,
            "2 to 64 characters: lower-case letters a-z, digits, '.', '_' or '-', "
            "starting with a letter or digit",
        )


def _check_role(role: str) -> None:
    if role not in PERSON_ROLES:
        raise InvalidValue("role", role, ", ".join(PERSON_ROLES))


def _check_password(password: str) -> None:
    """Length is what resists guessing; the value itself never appears in a message."""
    if len(password) < MIN_PASSWORD:
        raise InvalidValue("password", "(hidden)", f"at least {MIN_PASSWORD} characters")


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
    demo: bool = False,
    email: str | None = None,
) -> Account:
    """Create an active account; every value is checked before anything is written."""
    _check_username(username)
    _check_role(role)
    _check_password(password)
    email = _check_email(email)
    hashed = hash_secret(password)  # slow on purpose: done before the write lock is taken
    try:
        with app.transaction() as session:
            if session.exec(select(UserRow.id).where(UserRow.username == username)).first():
                raise UsernameTaken(username)
            session.add(
                UserRow(
                    username=username,
                    role=role,
                    password_hash=hashed,
                    demo=demo,
                    created_at=app.clock.now(),
                    email=email,
                )
            )
    except IntegrityError:  # the same name added at the same moment by someone else
        raise UsernameTaken(username) from None
    return Account(username, role)


def authenticate(app: App, username: str, password: str) -> Account | None:
    """The account if the password is right and the account active, else None (the caller
    says only "wrong username or password", whichever it was)."""
    with app.transaction() as session:
        user = session.exec(select(UserRow).where(UserRow.username == username)).first()
    if user is None:
        spend_verify(password)
        return None
    if not verify_secret(user.password_hash, password) or not user.active:
        return None
    return Account(user.username, user.role)


def set_password(app: App, username: str, password: str) -> None:
    """Replace the password and end the user's dashboard sessions, so a reset after a
    suspected leak also locks out whoever used the old one."""
    _check_password(password)
    hashed = hash_secret(password)
    with app.transaction() as session:
        user = find_user(session, username)
        user.password_hash = hashed
        session.add(user)
        session.exec(delete(WebSessionRow).where(col(WebSessionRow.user_id) == user.id))


def set_email(app: App, username: str, email: str | None) -> None:
    """Set (or, with None, remove) the address the user's assigned tasks' reminders go to."""
    checked = _check_email(email)
    with app.transaction() as session:
        user = find_user(session, username)
        user.email = checked
        session.add(user)


def assignable(app: App, username: str) -> bool:
    """Whether a task may be assigned to ``username``: an existing, active account of a
    person (§8 Acting on a task)."""
    with app.transaction() as session:
        user = session.exec(select(UserRow).where(UserRow.username == username)).first()
    return user is not None and user.active and user.role in PERSON_ROLES


def change_role(app: App, username: str, role: str, *, by: str | None = None) -> Account:
    """Give the account another role, from its next request on (sessions and tokens read the
    role afresh). ``by`` is who asks: nobody changes their own role (an admin demoting
    themselves could leave the clinic without one)."""
    _check_role(role)
    with app.transaction() as session:
        user = find_user(session, username)
        if user.role == role:
            return Account(username, role)
        if by == username:
            raise OwnAccountRefused(username, "role", "change the role of")
        user.role = role
        session.add(user)
    return Account(username, role)


def deactivate_user(app: App, username: str, *, by: str | None = None) -> None:
    """Refuse the account from now on (sign-in, sessions, tokens); kept, never deleted, so
    the audit trail's names still mean someone. ``by`` is who asks: nobody deactivates their
    own account."""
    with app.transaction() as session:
        user = find_user(session, username)
        if by == username:
            raise OwnAccountRefused(username, "username", "deactivate")
        user.active = False
        session.add(user)
        session.exec(delete(WebSessionRow).where(col(WebSessionRow.user_id) == user.id))


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
