"""Hospital single sign-on in the browser: ``GET /signin/oidc`` sends the person to the
identity provider, ``GET /signin/oidc/callback`` is where the provider sends them back.

The ``state`` travels twice: in the provider's redirect, and in a short-lived cookie set when
the sign-on began (HttpOnly, SameSite=Lax so that it comes along on the provider's cross-site
redirect back, path ``/signin/oidc``, ten minutes). Both must agree and name a sign-on still
pending (`ildpath.accounts.sign_on_pending`), so a callback planted by another site (login
CSRF) or replayed is refused.

The session cookie stays SameSite=Strict. A browser does not send a Strict cookie set on the
answer to a cross-site navigation with the redirect that immediately follows it, so the
callback answers a small "Signed in" page that moves on to the page asked for: that next
request is same-site, and carries the session.
"""

import logging
import time

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..accounts.sign_on import Identity, SignOnRefused, sign_on
from ..accounts.sign_on_pending import PENDING_MINUTES, Pending, keep_pending, take_pending
from ..api.security import clinic_app
from ..bootstrap import App
from ..oidc.id_token import IdTokenRefused, check_id_token
from ..oidc.provider import (
    Client,
    ProviderUnreachable,
    discover,
    exchange_code,
    new_start,
    provider_keys,
)
from ..oidc.role_map import role_for
from .access import local_path
from .errors_page import error_page
from .signin import start_session
from .templating import render

__all__ = ["CALLBACK", "STATE_COOKIE", "router"]

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)

CALLBACK = "/signin/oidc/callback"
STATE_COOKIE = "ildpath_sign_on"
REFUSED = "Hospital sign-in refused"
START_AGAIN = "The sign-in was not completed, has expired, or was already used. Start again."


def _client(app: App) -> Client | None:
    """ildpath as the provider's client; None when single sign-on is not configured."""
    settings = app.settings
    if not settings.oidc_issuer or not settings.oidc_client_id or not settings.public_url:
        return None
    secret = settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else ""
    return Client(
        issuer=settings.oidc_issuer,
        client_id=settings.oidc_client_id,
        client_secret=secret,
        scopes=settings.oidc_scopes,
        redirect_uri=settings.public_url.rstrip("/") + CALLBACK,
    )


def _not_configured(request: Request) -> Response:
    return error_page(request, None, 404, "Not found", "Hospital sign-in is not set up here.")


def _unavailable(request: Request, error: Exception) -> Response:
    log.warning("single sign-on: %s", error)
    return error_page(
        request, None, 502, REFUSED, "The hospital sign-in service did not answer as expected."
    )


@router.get("/signin/oidc", response_class=HTMLResponse)
def begin(request: Request, next: str = "/", app: App = Depends(clinic_app)) -> Response:
    client = _client(app)
    if client is None:
        return _not_configured(request)
    try:
        start = new_start(client, discover(client.issuer))
    except ProviderUnreachable as error:
        return _unavailable(request, error)
    keep_pending(app, start.state, Pending(start.code_verifier, start.nonce, local_path(next)))
    response = RedirectResponse(start.url, status_code=303)
    response.set_cookie(
        STATE_COOKIE,
        start.state,
        max_age=PENDING_MINUTES * 60,
        path="/signin/oidc",
        httponly=True,
        samesite="lax",
        secure=app.settings.secure_cookies,
    )
    return response


@router.get(CALLBACK, response_class=HTMLResponse)
def callback(
    request: Request,
    state: str = "",
    code: str = "",
    error: str = "",
    app: App = Depends(clinic_app),
) -> Response:
    client = _client(app)
    if client is None:
        return _not_configured(request)
    held = request.cookies.get(STATE_COOKIE, "")
    pending = take_pending(app, state) if state and held == state else None
    if pending is None:
        return _refused(request, 400, START_AGAIN)
    if error or not code:
        return _refused(request, 401, "The hospital sign-in service did not sign you in.")
    try:
        metadata = discover(client.issuer)
        token = exchange_code(client, metadata, code, pending.code_verifier)
        claims = check_id_token(
            token,
            keys=provider_keys(metadata),
            issuer=client.issuer,
            client_id=client.client_id,
            nonce=pending.nonce,
            now=int(time.time()),  # the provider's clock is the real one, not the clinic's
        )
    except ProviderUnreachable as problem:
        return _unavailable(request, problem)
    except IdTokenRefused as problem:
        log.warning("single sign-on: ID token refused: %s", problem)
        return _refused(request, 401, "The hospital sign-in service's answer did not check out.")
    settings = app.settings
    identity = Identity(
        issuer=client.issuer,
        subject=str(claims["sub"]),
        name=str(claims.get(settings.oidc_username_claim) or ""),
        role=role_for(claims, settings.oidc_role_claim, settings.oidc_role_map()),
    )
    try:
        account = sign_on(app, identity)
    except SignOnRefused as refused:
        return _refused(request, 403, str(refused))
    page = render(
        request,
        None,
        "signed_on.html",
        wanted=pending.next_path,
        username=account.username,
        label=settings.oidc_button_label,
    )
    page.delete_cookie(STATE_COOKIE, path="/signin/oidc", httponly=True, samesite="lax")
    return start_session(request, app, account, page)


def _refused(request: Request, status: int, message: str) -> Response:
    page = error_page(request, None, status, REFUSED, message)
    page.delete_cookie(STATE_COOKIE, path="/signin/oidc", httponly=True, samesite="lax")
    return page
