"""The dashboard's Jinja2 templates and the frame every page shares (banner, nav, footer)."""

from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ..api.security import Caller, clinic_app
from ..decision_support import DECISION_SUPPORT
from ..roles import Permission, allows
from ..wording import install_wording

__all__ = ["NAV", "render"]

NAV = (("/", "Cohort"), ("/tasks", "Tasks"), ("/reports", "Reports"), ("/pathway", "Pathway"))
"""The header's navigation: (path, label)."""


def _words(code: object) -> str:
    """A code as words for people: ``transplant_referral`` -> ``transplant referral``."""
    return "" if code is None else str(code).replace("_", " ")


def _blank(value: object) -> object:
    return "" if value is None else value


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _may(caller: Caller | None, permission: str) -> bool:
    """Whether the signed-in person's role allows it (``may(caller, "ENROL")``): a page
    shows a link or a control only to those the role table lets use it."""
    return caller is not None and allows(caller.account.role, Permission[permission])


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("ildpath.web", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(words=_words, blank=_blank, number=_number)
    env.globals["may"] = _may
    return install_wording(env)


def render(
    request: Request,
    caller: Caller | None,
    template: str,
    *,
    status: int = 200,
    nav: str = "",
    **context: Any,
) -> HTMLResponse:
    """The page: the template in the shared frame, as the signed-in person sees it."""
    app = clinic_app(request)
    html = (
        _environment()
        .get_template(template)
        .render(
            caller=caller,
            banner=DECISION_SUPPORT,
            pathway_version=app.definition.version,
            nav_links=NAV,
            nav=nav,
            **context,
        )
    )
    return HTMLResponse(html, status_code=status)
