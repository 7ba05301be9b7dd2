"""GET /tasks: the coordinators' worklist of open care tasks due in a period, and every task
already overdue (`ildpath.usecases.tasks.tasks_due`), with the calendar to import."""

from datetime import timedelta

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from pathway.errors import InvalidValue

from ..api.security import Caller, clinic_app
from ..bootstrap import App
from ..roles import Permission, require
from ..usecases.tasks import WORKLIST_DAYS, tasks_due
from .access import signed_in
from .form_values import day
from .refusals import refusal
from .templating import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/tasks", response_class=HTMLResponse)
def worklist(
    request: Request, app: App = Depends(clinic_app), caller: Caller = Depends(signed_in)
) -> HTMLResponse:
    require(caller.account.role, Permission.READ)
    today = app.clock.today()
    query = request.query_params
    start, end = today, today + timedelta(days=WORKLIST_DAYS)
    tasks, error, status = [], "", 200
    try:
        start = day(query, "from", today)
        end = day(query, "to", start + timedelta(days=WORKLIST_DAYS))
        tasks = tasks_due(app, start, end)
    except InvalidValue as refused:
        error, status = refusal(refused).message, 422
    return render(
        request,
        caller,
        "tasks.html",
        status=status,
        nav="/tasks",
        tasks=tasks,
        overdue=sum(t.overdue for t in tasks),
        start=query.get("from") or start.isoformat(),
        end=query.get("to") or end.isoformat(),
        today=today,
        error=error,
    )
