"""Signing in and out of the dashboard: a session cookie (HttpOnly, SameSite=Strict, Secure
unless the settings say otherwise) and nothing else the browser keeps.

A failed sign-in never says whether the username or the password was wrong. After a few in a
row, the account (or the client address) is locked for a while that doubles with each further
failure (`ildpath.accounts.throttle`): the form then answers 429 with ``Retry-After`` and says
when to try again, without checking the password.
"""

from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import FormData

from ..accounts import Account, TooManyAttempts, close_session, open_session, sign_in
from ..api.security import SESSION_COOKIE, Caller, clinic_app, identify
from ..bootstrap import App
from .access import check_form, local_path, posted_form, signed_in
from .errors_page import error_page
from .form_values import text
from .templating import render

__all__ = ["router", "start_session"]

router = APIRouter(include_in_schema=False)

WRONG = "Wrong username or password, or the account is not active. Check both and try again."


def too_many(seconds: int) -> str:
    """What the form says while sign-in is locked."""
    unit = "second" if seconds == 1 else "seconds"
    return (
        f"Too many attempts; try again in {seconds} {unit}. "
        "An admin can unlock your account sooner."
    )


def _login_page(
    request: Request, wanted: str, *, error: str = "", username: str = "", status: int = 200
) -> Response:
    settings = clinic_app(request).settings
    return render(
        request,
        None,
        "login.html",
        status=status,
        wanted=wanted,
        error=error,
        username=username,
        sign_on_label=settings.oidc_button_label if settings.oidc_issuer else "",
    )


def client_address(request: Request) -> str:
    """The connection's address: a proxy's ``X-Forwarded-For`` counts only when the settings
    name that proxy (``ILDPATH_TRUSTED_PROXIES``; the server then puts the client here)."""
    return request.client.host if request.client else "unknown"


def _same_origin(request: Request) -> bool:
    """A sign-in posted from this site's own page, not planted by another (login CSRF).

    Browsers say where a request comes from in ``Sec-Fetch-Site``; older ones only in
    ``Origin``, which is ``null`` under this site's ``Referrer-Policy: no-referrer``."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return True
    return urlsplit(origin).netloc == request.headers.get("host")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/", app: App = Depends(clinic_app)) -> Response:
    wanted = local_path(next)
    found = identify(request, app)
    if found is not None and found.csrf is not None:
        return RedirectResponse(wanted, status_code=303)
    return _login_page(request, wanted)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request, app: App = Depends(clinic_app), form: FormData = Depends(posted_form)
) -> Response:
    wanted = local_path(text(form, "next"))
    if not _same_origin(request):
        return error_page(request, None, 403, "Sign-in refused", "Sign in from this site's page.")
    username, password = text(form, "username") or "", form.get("password")
    secret = password if isinstance(password, str) else ""
    account = sign_in(app, username, secret, client_address(request))
    if isinstance(account, TooManyAttempts):
        locked = _login_page(
            request, wanted, error=too_many(account.seconds), username=username, status=429
        )
        locked.headers["Retry-After"] = str(account.seconds)
        return locked
    if account is None:
        return _login_page(request, wanted, error=WRONG, username=username, status=401)
    return start_session(request, app, account, RedirectResponse(wanted, status_code=303))


def start_session(request: Request, app: App, account: Account, response: Response) -> Response:
    """Sign ``account`` in on ``response``: the browser's previous session (if any) ends, a
    new one begins, its cookie HttpOnly and SameSite=Strict."""
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:
        close_session(app, previous)
    cookie, _ = open_session(app, account, hours=app.settings.session_hours)
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        path="/",
        httponly=True,
        samesite="strict",
        secure=app.settings.secure_cookies,
    )
    return response


@router.post("/logout")
def logout(
    request: Request,
    app: App = Depends(clinic_app),
    caller: Caller = Depends(signed_in),
    form: FormData = Depends(posted_form),
) -> Response:
    check_form(caller, form)
    close_session(app, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="strict",
        secure=app.settings.secure_cookies,
    )
    return response
