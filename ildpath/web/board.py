"""GET /: the cohort board. Patients by state (every state, zero too), then the patients,
the most urgent first: unacknowledged critical alerts and overdue tasks, then the soonest
next due task (`ildpath.usecases.cohort.list_cohort`)."""

from collections import Counter

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import QueryParams

from pathway.errors import InvalidValue
from pathway.machine import STATES
from pathway.phenotype import PHENOTYPE_GROUPS

from ..api.security import Caller, clinic_app
from ..bootstrap import App
from ..roles import Permission, require
from ..usecases.cohort import SEVERITY_RANK, CohortEntry, CohortFilter, list_cohort
from .access import signed_in
from .refusals import refusal
from .templating import render

__all__ = ["by_urgency", "router"]

router = APIRouter(include_in_schema=False)


def _urgency(entry: CohortEntry) -> int:
    """2: critical alert unacknowledged and a task overdue; 1: either; 0: neither."""
    critical = entry.unacknowledged_alerts.get("critical", 0) > 0
    return int(critical) + int(entry.overdue_tasks > 0)


def by_urgency(entries: list[CohortEntry]) -> list[CohortEntry]:
    """Most urgent first; within a tier the cohort's order (soonest next due task first)."""
    return sorted(entries, key=lambda e: -_urgency(e))


def _wanted(query: QueryParams) -> CohortFilter:
    def one(name: str) -> str | None:
        return query.get(name) or None

    return CohortFilter(
        states=tuple(s for s in query.getlist("state") if s),
        phenotype=one("phenotype"),
        overdue_only=query.get("overdue") in ("1", "true", "on", "yes"),
        alert_severity=one("alert_severity"),
    )


def _alerts_text(entry: CohortEntry) -> list[tuple[str, int]]:
    """(severity, count) of unacknowledged alerts, most severe first."""
    present = [(s, n) for s, n in entry.unacknowledged_alerts.items() if n]
    return sorted(present, key=lambda sn: -SEVERITY_RANK.get(sn[0], 0))


@router.get("/", response_class=HTMLResponse)
def cohort_board(
    request: Request, app: App = Depends(clinic_app), caller: Caller = Depends(signed_in)
) -> HTMLResponse:
    require(caller.account.role, Permission.READ)
    everyone = list_cohort(app, CohortFilter())
    counts = Counter(e.state for e in everyone)
    wanted, error, status = _wanted(request.query_params), "", 200
    try:
        shown = list_cohort(app, wanted) if wanted != CohortFilter() else everyone
    except InvalidValue as refused:
        shown, error, status = [], refusal(refused).message, 422
    return render(
        request,
        caller,
        "board.html",
        status=status,
        nav="/",
        states=STATES,
        counts={s: counts.get(s, 0) for s in STATES},
        total=len(everyone),
        patients=by_urgency(shown),
        alerts_text=_alerts_text,
        wanted=wanted,
        groups=PHENOTYPE_GROUPS,
        severities=list(SEVERITY_RANK),
        filtered=wanted != CohortFilter(),
        error=error,
        today=app.clock.today(),
    )
