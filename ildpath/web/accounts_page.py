"""GET /admin/accounts and /admin/accounts/{username}: the admin's accounts and API tokens;
GET /account: everyone's own account page.

The list shows every account at a glance and the form to add one; an account's page changes
its role or address, issues and revokes its API tokens, unlocks its sign-in after wrong
passwords and deactivates it (the forms are in `ildpath.web.accounts_forms`). Other roles get
the 403 page: the role table decides (``Permission.ADMINISTER``), as on the command line and
the API. Everyone, whatever the role, has their own account page (``/account``): what the
clinic knows of them, their reminder choice (`ildpath.web.reminders_form`) and their calendar
subscriptions, which they issue and revoke themselves (`ildpath.web.calendar_forms`); the
admin's forms are only on an admin's.

After a successful form the page says what was done: a code and the token's id travel in the
redirect's query, signed with the session's CSRF token so a link made by someone else cannot
make the page claim something was done (as `ildpath.web.flash` does for the patient page).
"""

import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from ..accounts import (
    FEED_SCOPES,
    PERSON_ROLES,
    IssuedFeed,
    UserNotFound,
    account_summaries,
    account_summary,
    list_feeds,
    list_tokens,
    lock_of,
    locked_usernames,
    reminder_choice,
)
from ..accounts.passwords import MIN_PASSWORD
from ..api.security import Caller, clinic_app
from ..bootstrap import App
from ..roles import Permission, RoleNotPermitted, allows, require
from .access import signed_in
from .errors_page import error_page
from .patient_view import FormState
from .reminder_zones import time_zones
from .templating import render

__all__ = [
    "ACCOUNTS",
    "OWN_ACCOUNT",
    "account_url",
    "notice_query",
    "router",
    "show_account",
    "show_accounts",
]

router = APIRouter(include_in_schema=False)

ACCOUNTS = "/admin/accounts"
OWN_ACCOUNT = "/account"

NOTICES = {
    "added": "Account {subject} added. Issue it an API token below if a script needs one.",
    "role": "Role of {subject} changed: it applies from their next page or API call.",
    "email": "Email of {subject} saved.",
    "deactivated": "Account {subject} deactivated: it can no longer sign in, and its "
    "sessions and API tokens are refused.",
    "revoked": "API token {ref} revoked: it is refused from its next use on.",
    "reminders": "Your reminder choice is saved: it applies from the scheduler's next pass.",
    "feed_revoked": "Calendar feed {ref} revoked: calendar apps subscribed to it get nothing "
    "from their next fetch on.",
    "unlocked": "Account {subject} unlocked: they can sign in again now.",
}
"""What each successful form says, by its code."""


def account_url(username: str) -> str:
    return f"{ACCOUNTS}/{quote(username, safe='')}"


def _signature(key: str, subject: str, done: str, ref: str) -> str:
    material = f"accounts\x1f{subject}\x1f{done}\x1f{ref}".encode()
    return hmac.new(key.encode(), material, hashlib.sha256).hexdigest()[:32]


def notice_query(key: str, subject: str, done: str, ref: str = "") -> str:
    """The query string of the redirect after a successful form about ``subject``."""
    fields = {"done": done, "ref": ref, "sig": _signature(key, subject, done, ref)}
    return urlencode({k: v for k, v in fields.items() if v})


def _notice(caller: Caller, subject: str, query: Mapping[str, str]) -> str:
    """The line to show, if the query carries this session's well-formed notice."""
    done, ref, sig = query.get("done", ""), query.get("ref", ""), query.get("sig", "")
    if done not in NOTICES or not sig or caller.csrf is None:
        return ""
    if not hmac.compare_digest(sig, _signature(caller.csrf, subject, done, ref)):
        return ""
    return NOTICES[done].format(subject=subject, ref=ref)


def _forbidden(request: Request, caller: Caller, error: RoleNotPermitted) -> HTMLResponse:
    return error_page(request, caller, 403, "Not for your role", str(error))


def show_accounts(
    request: Request, app: App, caller: Caller, *, refused: FormState | None = None
) -> HTMLResponse:
    """The list of accounts with the form to add one (drawn again when refused)."""
    try:
        require(caller.account.role, Permission.ADMINISTER)
    except RoleNotPermitted as error:
        return _forbidden(request, caller, error)
    return render(
        request,
        caller,
        "accounts.html",
        status=refused.refusal.status if refused and refused.refusal else 200,
        nav=ACCOUNTS,
        accounts=account_summaries(app),
        locked=locked_usernames(app),
        roles=PERSON_ROLES,
        min_password=MIN_PASSWORD,
        refused=refused,
    )


def show_account(
    request: Request,
    app: App,
    caller: Caller,
    username: str,
    *,
    refused: FormState | None = None,
    issued: str = "",
    own_page: bool = False,
    feed: IssuedFeed | None = None,
) -> HTMLResponse:
    """One account's page; ``issued`` is a token just issued, ``feed`` a calendar feed just
    issued, each shown this once. An admin's for any account, everyone's for their own
    (``own_page``: reached as `OWN_ACCOUNT`)."""
    own = username == caller.account.username
    try:
        if not own:
            require(caller.account.role, Permission.ADMINISTER)
        account = account_summary(app, username)
    except RoleNotPermitted as error:
        return _forbidden(request, caller, error)
    except UserNotFound:
        return error_page(request, caller, 404, "No such account", f"No account {username!r}.")
    admin = allows(caller.account.role, Permission.ADMINISTER)
    if not admin and refused is not None and refused.refusal and refused.refusal.status == 403:
        # an admin's form posted to one's own page: its section is not drawn to say so
        return error_page(request, caller, 403, "Not for your role", refused.refusal.message)
    quiet = refused is not None or issued or feed is not None
    lock = lock_of(app, username) if admin else None
    return render(
        request,
        caller,
        "account.html",
        status=refused.refusal.status if refused and refused.refusal else 200,
        nav=OWN_ACCOUNT if own_page or not admin else ACCOUNTS,
        account=account,
        url=account_url(username),
        admin=admin,
        tokens=list_tokens(app, username) if admin else [],
        feeds=list_feeds(app, username),
        feed_scopes=FEED_SCOPES,
        feed_url=_feed_url(request, app, feed),
        lock=lock,
        lock_seconds=lock.seconds_left(app.clock.now()) if lock else 0,
        roles=PERSON_ROLES,
        own=own,
        reminders=reminder_choice(app, username),
        hours=range(24),
        zones=time_zones(),
        refused=refused,
        issued=issued,
        notice="" if quiet else _notice(caller, username, request.query_params),
    )


def _feed_url(request: Request, app: App, feed: IssuedFeed | None) -> str:
    """The whole address to subscribe to: the clinic's public address when set, else the
    one this page was reached at."""
    if feed is None:
        return ""
    base = app.settings.public_url or str(request.base_url)
    return base.rstrip("/") + feed.path


@router.get(ACCOUNTS, response_class=HTMLResponse)
def accounts(
    request: Request, app: App = Depends(clinic_app), caller: Caller = Depends(signed_in)
) -> HTMLResponse:
    return show_accounts(request, app, caller)


@router.get(ACCOUNTS + "/{username}", response_class=HTMLResponse)
def account(
    username: str,
    request: Request,
    app: App = Depends(clinic_app),
    caller: Caller = Depends(signed_in),
) -> HTMLResponse:
    return show_account(request, app, caller, username)


@router.get(OWN_ACCOUNT, response_class=HTMLResponse)
def own_account(
    request: Request, app: App = Depends(clinic_app), caller: Caller = Depends(signed_in)
) -> HTMLResponse:
    return show_account(request, app, caller, caller.account.username, own_page=True)
