"""GET /tasks: the coordinators' worklist: open care tasks due in a period and every task
already overdue (`ildpath.usecases.worklist.find_tasks`), filtered, sorted, 50 a page, each
with its actions (done, decline, reschedule, assign); "My tasks" is `?assignee=me`."""

from collections.abc import Sequence
from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import QueryParams

from pathway.codes import TASKS
from pathway.errors import InvalidValue
from pathway.task_actions import DECLINABLE

from ..accounts import list_users
from ..api.security import Caller, clinic_app
from ..bootstrap import App
from ..roles import Permission, require
from ..usecases.cohort_query import DUE_WINDOWS, PAGE_SIZE
from ..usecases.listings import Listing, log_listing
from ..usecases.worklist import TASK_SORTS, TaskPage, TaskQuery, default_end, find_tasks
from .access import may, signed_in
from .flash import Flash, read_flash
from .form_values import day, page_number
from .listing import PageLinks
from .refusals import refusal
from .reminders_page import failing_notice
from .task_done import done_link
from .templating import render

__all__ = ["WORKLIST", "router", "show_worklist"]

router = APIRouter(include_in_schema=False)

WORKLIST = "/tasks"


def worklist_query(params: QueryParams, caller: Caller, today: date) -> TaskQuery:
    """The worklist's query from the URL; ``assignee=me`` is the signed-in person."""
    start = day(params, "from", today)
    end = day(params, "to", default_end(start))
    assignee = (params.get("assignee") or "").strip() or None
    if assignee == "me":
        assignee = caller.account.username
    return TaskQuery(
        start,
        end,
        kinds=tuple(k for k in params.getlist("kind") if k),
        search=(params.get("q") or "").strip() or None,
        assignee=assignee,
        due=(params.get("due") or "").strip() or None,
        sort=(params.get("sort") or "").strip() or "due",
    ).check()


def show_worklist(
    request: Request,
    app: App,
    caller: Caller,
    params: QueryParams,
    *,
    error: str = "",
    status: int = 200,
    flash: Flash | None = None,
) -> HTMLResponse:
    """The worklist as ``params`` ask (with a refusal drawn above it, if any)."""
    require(caller.account.role, Permission.READ)
    today = app.clock.today()
    query = TaskQuery(today, default_end(today))
    found = TaskPage([], 0, 0, 0, PAGE_SIZE)
    try:
        query = worklist_query(params, caller, today)
        page = page_number(params)
        found = find_tasks(app, query, offset=(page - 1) * PAGE_SIZE)
    except InvalidValue as refused:
        error, status = error or refusal(refused).message, 422
    log_listing(
        app,
        Listing(caller.actor(), "dashboard", "tasks", str(params)),
        (task.patient_id for task in found.tasks),
    )
    items: Sequence[tuple[str, str]] = list(params.multi_items())
    here = WORKLIST + ("?" + str(params) if str(params) else "")
    return render(
        request,
        caller,
        "tasks.html",
        status=status,
        nav="/tasks?assignee=me" if query.assignee == caller.account.username else "/tasks",
        found=found,
        query=query,
        mine=query.assignee == caller.account.username,
        params=items,
        links=PageLinks(WORKLIST, items, query.sort),
        here=here,
        start=params.get("from") or query.start.isoformat(),
        end=params.get("to") or query.end.isoformat(),
        today=today,
        error=error,
        flash=flash,
        kinds=list(TASKS),
        due_windows=DUE_WINDOWS,
        sorts=TASK_SORTS,
        declinable=DECLINABLE,
        can_act=may(caller, Permission.MANAGE_TASKS),
        can_record=may(caller, Permission.RECORD),
        people=[u.username for u in list_users(app) if u.active],
        done_link=done_link,
        failing=failing_notice(app, caller),
    )


@router.get("/tasks", response_class=HTMLResponse)
def worklist(
    request: Request, app: App = Depends(clinic_app), caller: Caller = Depends(signed_in)
) -> HTMLResponse:
    flash = read_flash(caller.csrf or "", WORKLIST, request.query_params)
    return show_worklist(request, app, caller, request.query_params, flash=flash)
