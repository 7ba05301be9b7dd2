"""A coordinator's saved working lists: save the board's current filters under a name
(POST /lists), see and remove them (GET /lists, POST /lists/{id}/delete)."""

from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, QueryParams

from pathway.errors import InvalidValue

from ..api.security import Caller, clinic_app
from ..bootstrap import App
from ..roles import Permission, require
from ..usecases.cohort_query import CohortQuery
from ..usecases.saved_lists import delete_list, save_list, saved_lists
from .access import check_form, posted_form, signed_in
from .refusals import refusal
from .templating import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _page(
    request: Request, app: App, caller: Caller, error: str = "", status: int = 200
) -> Response:
    return render(
        request,
        caller,
        "lists.html",
        status=status,
        nav="/",
        saved=saved_lists(app, caller.account.username),
        error=error,
    )


@router.get("/lists", response_class=HTMLResponse)
def lists(
    request: Request, app: App = Depends(clinic_app), caller: Caller = Depends(signed_in)
) -> Response:
    require(caller.account.role, Permission.READ)
    return _page(request, app, caller)


def _query(form: FormData) -> CohortQuery:
    sent = form.get("query")
    return CohortQuery.from_params(QueryParams(parse_qsl(sent if isinstance(sent, str) else "")))


@router.post("/lists")
def save(
    request: Request,
    app: App = Depends(clinic_app),
    caller: Caller = Depends(signed_in),
    form: FormData = Depends(posted_form),
) -> Response:
    check_form(caller, form)
    require(caller.account.role, Permission.READ)
    name = form.get("name")
    try:
        saved = save_list(app, caller.account.username, str(name or ""), _query(form))
    except InvalidValue as refused:
        return _page(request, app, caller, refusal(refused).message, 422)
    return RedirectResponse("/?" + saved.query, status_code=303)


@router.post("/lists/{list_id}/delete")
def delete(
    list_id: int,
    request: Request,
    app: App = Depends(clinic_app),
    caller: Caller = Depends(signed_in),
    form: FormData = Depends(posted_form),
) -> Response:
    check_form(caller, form)
    try:
        delete_list(app, caller.account.username, list_id)
    except InvalidValue as refused:
        return _page(request, app, caller, refusal(refused).message, 404)
    return RedirectResponse("/lists", status_code=303)
