"""Who is looking at a page: a signed-in dashboard session, or a redirect to the sign-in.

Pages are for people with a session cookie; an anonymous request is sent to ``/login`` with
the page it wanted as ``next`` (a local path only, see `local_path`). A form a page posts
carries the session's CSRF token in its hidden ``csrf_token`` field.
"""

from urllib.parse import quote, urlsplit

from fastapi import Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from ..api.security import Caller, check_csrf, clinic_app, identify
from ..bootstrap import App
from ..roles import Permission, allows

__all__ = [
    "CSRF_FIELD",
    "FormRefused",
    "SignInRequired",
    "check_form",
    "local_path",
    "may",
    "posted_form",
    "sign_in_redirect",
    "signed_in",
]

CSRF_FIELD = "csrf_token"


class SignInRequired(Exception):
    """No live session: the page answers with a redirect to the sign-in."""

    def __init__(self, wanted: str) -> None:
        super().__init__(wanted)
        self.wanted = wanted


def local_path(candidate: str | None, default: str = "/") -> str:
    """``candidate`` if it is a path on this site (``/…``), else ``default``: never a
    redirect to another host (``//evil``, ``/\\evil``, ``https://…``, control characters)."""
    if not candidate or not candidate.startswith("/") or candidate.startswith(("//", "/\\")):
        return default
    if "\\" in candidate or any(ord(c) < 0x20 or ord(c) == 0x7F for c in candidate):
        return default
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc:
        return default
    return candidate


def sign_in_redirect(wanted: str) -> RedirectResponse:
    target = local_path(wanted)
    suffix = "" if target == "/" else "?next=" + quote(target, safe="/")
    return RedirectResponse("/login" + suffix, status_code=303)


def signed_in(request: Request, app: App = Depends(clinic_app)) -> Caller:
    """The person behind the session cookie (an API token does not open pages)."""
    found = identify(request, app)
    if found is None or found.csrf is None:
        wanted = request.url.path
        if request.url.query:
            wanted += "?" + request.url.query
        raise SignInRequired(wanted if request.method == "GET" else "/")
    return found


async def posted_form(request: Request) -> FormData:
    """The urlencoded body of a dashboard form."""
    return await request.form()


class FormRefused(Exception):
    """A form post without this session's CSRF token: answered with a 403 page."""


def check_form(caller: Caller, form: FormData) -> None:
    """Refuse a form without this session's CSRF token (`ildpath.api.security.check_csrf`)."""
    sent = form.get(CSRF_FIELD)
    try:
        check_csrf(caller, sent if isinstance(sent, str) else None)
    except HTTPException as refused:
        raise FormRefused(str(refused.detail)) from None


def may(caller: Caller, permission: Permission) -> bool:
    """Whether the page shows a control: the role table decides (`ildpath.roles`)."""
    return allows(caller.account.role, permission)
