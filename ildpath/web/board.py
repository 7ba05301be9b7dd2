"""GET /: the cohort board, the coordinator's working list of patients. A search box (`/?q=`),
filters, saved lists, counts of the day's work, 50 patients a page, sortable columns; the
same query and order as `ildpath cohort` and `/api/patients`
(`ildpath.usecases.cohort.find_patients`)."""

from dataclasses import replace

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from pathway.codes import TASKS
from pathway.errors import InvalidValue
from pathway.machine import STATES
from pathway.phenotype import PHENOTYPE_GROUPS

from ..api.security import Caller, clinic_app
from ..bootstrap import App
from ..roles import Permission, require
from ..usecases.cohort import CohortEntry, CohortPage, CohortQuery, find_patients
from ..usecases.cohort_query import (
    ALERT_STANDINGS,
    COHORT_SORTS,
    DUE_WINDOWS,
    PAGE_SIZE,
    SEVERITY_RANK,
)
from ..usecases.listings import Listing, log_listing
from ..usecases.saved_lists import saved_lists
from .access import signed_in
from .form_values import page_number
from .listing import PageLinks
from .refusals import refusal
from .reminders_page import failing_notice
from .templating import render

__all__ = ["alerts_text", "board_query", "router"]

router = APIRouter(include_in_schema=False)


def alerts_text(entry: CohortEntry) -> list[tuple[str, int, bool]]:
    """(severity, count, holds) of unacknowledged alerts: those that hold first, most severe
    first within."""
    holding = [(s, n, True) for s, n in entry.holding_alerts.items() if n]
    cleared = [(s, n, False) for s, n in entry.cleared_alerts.items() if n]
    return [
        *sorted(holding, key=lambda sn: -SEVERITY_RANK.get(sn[0], 0)),
        *sorted(cleared, key=lambda sn: -SEVERITY_RANK.get(sn[0], 0)),
    ]


def board_query(request: Request, caller: Caller) -> CohortQuery:
    """The board's query from the URL; ``assignee=me`` is the signed-in person."""
    query = CohortQuery.from_params(request.query_params)
    if query.assignee == "me":
        return replace(query, assignee=caller.account.username)
    return query


@router.get("/", response_class=HTMLResponse)
def cohort_board(
    request: Request, app: App = Depends(clinic_app), caller: Caller = Depends(signed_in)
) -> HTMLResponse:
    require(caller.account.role, Permission.READ)
    query, error, status = CohortQuery(), "", 200
    params = list(request.query_params.multi_items())
    try:
        query = board_query(request, caller)
        page = page_number(request.query_params)
    except InvalidValue as refused:
        error, status, page = refusal(refused).message, 422, 1
    found: CohortPage = find_patients(app, query, offset=(page - 1) * PAGE_SIZE)
    if error:
        found = CohortPage([], 0, 0, PAGE_SIZE, found.state_counts, found.work)
    shown = Listing(caller.actor(), "dashboard", "board", request.url.query)
    log_listing(app, shown, (entry.patient_id for entry in found.entries))
    return render(
        request,
        caller,
        "board.html",
        status=status,
        nav="/",
        states=STATES,
        found=found,
        total=sum(found.state_counts.values()),
        query=query,
        params=params,
        links=PageLinks("/", params, query.sort),
        alerts_text=alerts_text,
        groups=PHENOTYPE_GROUPS,
        severities=list(SEVERITY_RANK),
        task_kinds=list(TASKS),
        due_windows=DUE_WINDOWS,
        standings=ALERT_STANDINGS,
        sorts=COHORT_SORTS,
        saved=saved_lists(app, caller.account.username),
        error=error,
        today=app.clock.today(),
        failing=failing_notice(app, caller),
    )
