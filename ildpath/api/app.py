"""The web application: the REST API under /api and the coordinators' dashboard, one process.

Built around an `App` from `bootstrap()` (the composition root), never at import time, so
tests give it their own database and clock.
"""

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from .. import __version__
from ..bootstrap import App
from ..decision_support import DECISION_SUPPORT
from .docs_page import install_api_docs
from .problems import install_problem_handlers
from .routes import alerts, calendar, entries, fhir, patients, reports, tasks, users

__all__ = ["DECISION_SUPPORT", "create_api"]


_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


async def _security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Patient data is never cached, framed or sniffed; pages run only the app's own script."""
    response = await call_next(request)
    for name, value in _SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def create_api(clinic: App, *, dashboard: bool = True) -> FastAPI:
    api = FastAPI(
        title="ildpath",
        version=__version__,
        summary="Care pathway for ILD in inflammatory myopathy (PM/DM-ILD, anti-MDA5 RP-ILD).",
        description=DECISION_SUPPORT
        + " Authenticate with `Authorization: Bearer <token>` (`ildpath user token`). "
        "Errors are RFC 9457 problem details naming the field. Writes to a patient accept "
        "`If-Match` with the patient's ETag and answer 409 if it changed meanwhile.",
        docs_url=None,
        redoc_url=None,
    )
    api.state.clinic = clinic
    install_problem_handlers(api)
    install_api_docs(api, DECISION_SUPPORT)
    api.middleware("http")(_security_headers)
    for module in (patients, entries, alerts, tasks, reports, users, fhir, calendar):
        api.include_router(module.router)
    calendar.hide_feed_secrets_in_access_log()

    @api.get("/api/health", tags=["health"], summary="Is the service up (no sign-in needed)")
    def health() -> dict[str, str]:
        return {"status": "ok", "pathway_version": clinic.definition.version}

    if dashboard:
        from ..web.pages import install_dashboard

        install_dashboard(api)
    return api
