"""Pages for what cannot be shown: no such record, a role that may not look, a form that did
not come from this session."""

from fastapi import Request
from fastapi.responses import HTMLResponse

from ..api.security import Caller
from .templating import render

__all__ = ["error_page"]


def error_page(
    request: Request, caller: Caller | None, status: int, title: str, message: str
) -> HTMLResponse:
    return render(request, caller, "error.html", status=status, title=title, message=message)
