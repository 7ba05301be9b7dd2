"""Who is calling: an API token (``Authorization: Bearer``) or the dashboard's session cookie,
and whether their role may do what they ask (the same table as the command line).

A cookie is sent by the browser on its own, so a write made with it must also carry the
session's CSRF token (header ``X-CSRF-Token`` or form field ``csrf_token``); a bearer token is
never sent implicitly and needs none.
"""

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, HTTPException, Request

from ..accounts import Account, account_for_token, session_for
from ..bootstrap import App
from ..roles import Permission, require
from ..usecases import Actor

__all__ = [
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "Caller",
    "acting",
    "caller",
    "check_csrf",
    "clinic_app",
    "permitted",
]

SESSION_COOKIE = "ildpath_session"
CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Caller:
    """An authenticated person; ``csrf`` is set when they came with the session cookie."""

    account: Account
    csrf: str | None = None

    def actor(self) -> Actor:
        return Actor(self.account.username, self.account.role)


def clinic_app(request: Request) -> App:
    app: App = request.app.state.clinic
    return app


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def identify(request: Request, app: App) -> Caller | None:
    """The caller, or None when neither a valid token nor a valid session came along."""
    token = _bearer(request)
    if token is not None:
        account = account_for_token(app, token)
        return Caller(account) if account is not None else None
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        found = session_for(app, cookie)
        if found is not None:
            return Caller(found[0], found[1])
    return None


def check_csrf(caller: Caller, sent: str | None) -> None:
    """Refuse a cookie-authenticated write without the session's CSRF token."""
    if caller.csrf is None:
        return
    if not sent or not hmac.compare_digest(sent, caller.csrf):
        raise HTTPException(
            403,
            f"{CSRF_HEADER}: missing or wrong; send the session's CSRF token with every write",
        )


def caller(request: Request, app: App = Depends(clinic_app)) -> Caller:
    found = identify(request, app)
    if found is None:
        raise HTTPException(
            401,
            "sign in: send 'Authorization: Bearer <API token>' (ildpath user token) "
            "or sign in to the dashboard",
            headers={"WWW-Authenticate": 'Bearer realm="ildpath"'},
        )
    if request.method not in _SAFE_METHODS:
        check_csrf(found, request.headers.get(CSRF_HEADER))
    return found


def acting(permission: Permission) -> Callable[..., Actor]:
    """A dependency: the caller as the actor of a use case, if their role allows it."""

    def dependency(who: Caller = Depends(caller)) -> Actor:
        require(who.account.role, permission)
        return who.actor()

    return dependency


def permitted(permission: Permission) -> Any:
    """``actor: Actor = permitted(Permission.RECORD)`` in a route's parameters."""
    return Depends(acting(permission))
