"""The Accounts pages' forms: add an account, change its role or email, unlock its sign-in,
deactivate it, issue and revoke its API tokens, each through the use case the command line
and the API call.

Each post is checked in the same order: the session's CSRF token, then the role (admins
only), then the use case. Success: 303 back to the account's page with what was done, except
a token just issued, which is shown on the answer itself, this once (it must never travel in
a URL, where history and logs would keep it). Refusal: the page again, the message beside
the form, nothing written.
"""

from collections.abc import Callable

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from pathway.errors import InvalidValue

from ..accounts import (
    LastAdminRefused,
    OwnAccountRefused,
    TokenNotFound,
    WeakPassword,
    add_user,
    change_role,
    deactivate_user,
    issue_token,
    list_tokens,
    revoke_token,
    set_email,
    unlock_account,
)
from ..api.security import Caller, clinic_app
from ..bootstrap import App
from ..roles import Permission, require
from .access import check_form, posted_form, signed_in
from .accounts_page import ACCOUNTS, account_url, notice_query, show_account, show_accounts
from .form_values import text, typed
from .patient_view import FormState
from .refusals import REFUSED, Refusal, refusal

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_APP = Depends(clinic_app)
_CALLER = Depends(signed_in)
_FORM = Depends(posted_form)
_SECRET_FIELDS = ("password",)


def _refusal(error: Exception) -> Refusal:
    """As every form says it; an admin's own account marks the field the form names."""
    if isinstance(error, OwnAccountRefused):
        return Refusal(422, str(error), error.field)
    if isinstance(error, LastAdminRefused):
        return Refusal(409, str(error), error.field)
    if isinstance(error, WeakPassword):  # the rule it breaks, not only what is allowed
        message = f"Password (password): not allowed: {error.rule}; allowed: {error.allowed}."
        return Refusal(422, message, "password")
    return refusal(error)


def _typed(form: FormData) -> dict[str, str]:
    """What to put back into a refused form: never a password."""
    return {k: v for k, v in typed(form).items() if k not in _SECRET_FIELDS}


def _act(
    request: Request,
    app: App,
    caller: Caller,
    form: FormData,
    username: str,
    key: str,
    act: Callable[[], str],
) -> Response:
    """Check, act, and answer: 303 with the notice ``act`` returns (its code, and a
    reference), or the account's page again with the refusal beside form ``key``."""
    check_form(caller, form)
    try:
        require(caller.account.role, Permission.ADMINISTER)
        done, _, ref = act().partition(":")
    except REFUSED as error:
        refused = FormState(key, _refusal(error), _typed(form))
        return show_account(request, app, caller, username, refused=refused)
    query = notice_query(caller.csrf or "", username, done, ref)
    return RedirectResponse(f"{account_url(username)}?{query}#status", status_code=303)


@router.post(ACCOUNTS)
def add(
    request: Request, app: App = _APP, caller: Caller = _CALLER, form: FormData = _FORM
) -> Response:
    check_form(caller, form)
    username = text(form, "username") or ""
    try:
        require(caller.account.role, Permission.ADMINISTER)
        password = form.get("password")
        add_user(
            app,
            username,
            text(form, "role") or "",
            password if isinstance(password, str) else "",
            email=text(form, "email"),
            by=caller.account.username,
            by_role=caller.account.role,
        )
    except REFUSED as error:
        refused = FormState("add", _refusal(error), _typed(form))
        return show_accounts(request, app, caller, refused=refused)
    query = notice_query(caller.csrf or "", username, "added")
    return RedirectResponse(f"{account_url(username)}?{query}#status", status_code=303)


@router.post(ACCOUNTS + "/{username}/role")
def role(
    username: str,
    request: Request,
    app: App = _APP,
    caller: Caller = _CALLER,
    form: FormData = _FORM,
) -> Response:
    def act() -> str:
        change_role(
            app,
            username,
            text(form, "role") or "",
            by=caller.account.username,
            by_role=caller.account.role,
        )
        return "role"

    return _act(request, app, caller, form, username, "role", act)


@router.post(ACCOUNTS + "/{username}/email")
def email(
    username: str,
    request: Request,
    app: App = _APP,
    caller: Caller = _CALLER,
    form: FormData = _FORM,
) -> Response:
    def act() -> str:
        set_email(
            app,
            username,
            text(form, "email"),
            by=caller.account.username,
            by_role=caller.account.role,
        )
        return "email"

    return _act(request, app, caller, form, username, "email", act)


@router.post(ACCOUNTS + "/{username}/deactivate")
def deactivate(
    username: str,
    request: Request,
    app: App = _APP,
    caller: Caller = _CALLER,
    form: FormData = _FORM,
) -> Response:
    def act() -> str:
        if text(form, "confirm") != "yes":
            raise InvalidValue("confirm", None, "tick the box to confirm the deactivation")
        deactivate_user(app, username, by=caller.account.username, by_role=caller.account.role)
        return "deactivated"

    return _act(request, app, caller, form, username, "deactivate", act)


@router.post(ACCOUNTS + "/{username}/unlock")
def unlock(
    username: str,
    request: Request,
    app: App = _APP,
    caller: Caller = _CALLER,
    form: FormData = _FORM,
) -> Response:
    def act() -> str:
        unlock_account(app, username, by=caller.account.username, by_role=caller.account.role)
        return "unlocked"

    return _act(request, app, caller, form, username, "unlock", act)


@router.post(ACCOUNTS + "/{username}/tokens/{token_id}/revoke")
def revoke(
    username: str,
    token_id: int,
    request: Request,
    app: App = _APP,
    caller: Caller = _CALLER,
    form: FormData = _FORM,
) -> Response:
    def act() -> str:
        if token_id not in {t.id for t in list_tokens(app, username)}:
            raise TokenNotFound(token_id)
        revoke_token(app, token_id, by=caller.account.username, by_role=caller.account.role)
        return f"revoked:{token_id}"

    return _act(request, app, caller, form, username, "tokens", act)


@router.post(ACCOUNTS + "/{username}/tokens")
def issue(
    username: str,
    request: Request,
    app: App = _APP,
    caller: Caller = _CALLER,
    form: FormData = _FORM,
) -> Response:
    """The token is in this answer only: the page is drawn here, not after a redirect."""
    check_form(caller, form)
    try:
        require(caller.account.role, Permission.ADMINISTER)
        issued = issue_token(
            app,
            username,
            text(form, "name") or "",
            by=caller.account.username,
            by_role=caller.account.role,
        )
    except REFUSED as error:
        refused = FormState("issue", _refusal(error), _typed(form))
        return show_account(request, app, caller, username, refused=refused)
    return show_account(request, app, caller, username, issued=issued)
