"""What a person signing on through the hospital's identity provider becomes here: the local
account tied to their identity there (issuer and ``sub``), made at their first sign-on, in
the role their groups map to (`ildpath.oidc.role_map`), which follows the provider's at every
sign-on.

The identity is never found by email or username: those can be reused or changed at the
provider, and a local account of the same name is somebody else until an admin says
otherwise. Creating the account (with its identity) and a role change are events on the
accounts chain, by ``single-sign-on``, so `audit verify` knows every account that exists.
"""

import re
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from persistence.account_chain import account_line
from persistence.account_tables import UserRow
from persistence.sign_on_tables import OidcIdentityRow

from ..bootstrap import App
from .chained import check_admin_left, in_account_change, record_event
from .errors import LastAdminRefused
from .users import Account, chain_change, well_formed

__all__ = ["SIGN_ON_ACTOR", "Identity", "SignOnRefused", "sign_on"]

SIGN_ON_ACTOR = "single-sign-on"
"""Who the accounts chain says acted when signing on made or changed an account."""

NO_PASSWORD = "!single-sign-on: no local password"
"""The password hash of an account made by signing on: no password ever matches it (it is no
argon2 hash), until an admin sets one."""

_NOT_ALLOWED = re.compile(r"[^a-z0-9._-]+")


class SignOnRefused(Exception):
    """Signing on is refused; the message says why, in words for the person signing on."""


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed on, read from a checked ID token."""

    issuer: str
    subject: str
    name: str
    """The username claim's value (what a new account is called)."""
    role: str | None
    """The role their groups map to; None: no ildpath role."""


def username_from(name: str) -> str:
    """An account name from the provider's name for the person: lower case, anything but
    letters, digits, ``.``, ``_`` and ``-`` turned into ``-`` (``Anna@St-Mary.org`` is
    ``anna-st-mary.org``)."""
    return _NOT_ALLOWED.sub("-", name.strip().lower()).strip("-._")[:64]


def _new_account(app: App, session: Session, identity: Identity, role: str) -> UserRow:
    username = username_from(identity.name)
    if not well_formed(username):
        raise SignOnRefused(
            "Your identity provider sent no usable username; ask your administrator."
        )
    if session.exec(select(UserRow.id).where(UserRow.username == username)).first():
        raise SignOnRefused(
            f"An ildpath account named {username} exists already and is not tied to your "
            "hospital sign-in. Ask an ildpath administrator."
        )
    user = UserRow(
        username=username, role=role, password_hash=NO_PASSWORD, created_at=app.clock.now()
    )
    session.add(user)
    session.flush()
    tie = OidcIdentityRow(
        issuer=identity.issuer,
        subject=identity.subject,
        user_id=user.id or 0,
        created_at=app.clock.now(),
    )
    session.add(tie)
    session.flush()
    record_event(
        app,
        session,
        kind="user_added",
        by=SIGN_ON_ACTOR,
        by_role="system",
        subject=username,
        payload={"role": role, "demo": False, "email": None, "issuer": identity.issuer},
        rows=[account_line("user_account", user), account_line("oidc_identity", tie)],
    )
    return user


def _follow_role(app: App, session: Session, user: UserRow, role: str, issuer: str) -> None:
    """Give the account the role the provider's groups now map to (chained, as an admin's
    change would be); the last active admin is not demoted this way either."""
    if user.role == role:
        return
    if user.role == "admin":
        check_admin_left(session, user.username)
    payload: dict[str, object] = {"from": user.role, "to": role, "issuer": issuer}
    chain_change(
        app, session, user, "role_changed", SIGN_ON_ACTOR, "system", {"role": role}, payload
    )


def sign_on(app: App, identity: Identity) -> Account:
    """The account to open a session for; `SignOnRefused` (nothing written) when the person
    has no mapped role, their account is deactivated, or a local account already has the
    name a new one would take."""
    role = identity.role
    if role is None:
        raise SignOnRefused(
            "Your hospital account has no ildpath role. Ask your administrator to add you to "
            "one of ildpath's groups."
        )

    def work(session: Session) -> Account:
        tie = session.exec(
            select(OidcIdentityRow)
            .where(OidcIdentityRow.issuer == identity.issuer)
            .where(OidcIdentityRow.subject == identity.subject)
        ).first()
        if tie is None:
            user = _new_account(app, session, identity, role)
        else:
            user = session.exec(select(UserRow).where(UserRow.id == tie.user_id)).one()
            if not user.active:
                raise SignOnRefused(
                    "Your ildpath account is deactivated. Ask an ildpath administrator."
                )
            _follow_role(app, session, user, role, identity.issuer)
        return Account(user.username, user.role)

    try:
        return in_account_change(app, work)
    except LastAdminRefused:
        raise SignOnRefused(
            "Your hospital groups no longer give you the admin role, and ildpath would be "
            "left without an active admin. Ask another administrator."
        ) from None
    except IntegrityError:  # the same person's first sign-on twice at once
        raise SignOnRefused("Signing on collided with another; try again.") from None
