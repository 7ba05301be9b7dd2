"""GET /: the cohort board. Patients by state (every state, zero too), then the patients,
the most urgent first: unacknowledged critical alerts that hold and overdue tasks, then
unacknowledged critical alerts already cleared (§7a: holding ranks above cleared), then the
soonest next due task (`ildpath.usecases.cohort.list_cohort`)."""

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

__all__ = ["by_urgency", "router", "urgent"]

router = APIRouter(include_in_schema=False)


def _urgency(entry: CohortEntry) -> tuple[int, int]:
    """(2: an unacknowledged critical alert that holds and a task overdue; 1: either; 0:
    neither; then 1 if a critical alert is cleared but unacknowledged)."""
    critical = entry.holding_alerts.get("critical", 0) > 0
    cleared = entry.cleared_alerts.get("critical", 0) > 0
    return int(critical) + int(entry.overdue_tasks > 0), int(cleared)


def urgent(entry: CohortEntry) -> bool:
    """Drawn as urgent: an overdue task, or an unacknowledged critical alert that holds."""
    return entry.overdue_tasks > 0 or entry.holding_alerts.get("critical", 0) > 0


def by_urgency(entries: list[CohortEntry]) -> list[CohortEntry]:
    """Most urgent first; within a tier the cohort's order (soonest next due task first)."""
    return sorted(entries, key=lambda e: tuple(-n for n in _urgency(e)))


def _wanted(query: QueryParams) -> CohortFilter:
    def one(name: str) -> str | None:
        return query.get(name) or None

    return CohortFilter(
        states=tuple(s for s in query.getlist("state") if s),
        phenotype=one("phenotype"),
        overdue_only=query.get("overdue") in ("1", "true", "on", "yes"),
        alert_severity=one("alert_severity"),
    )


def _alerts_text(entry: CohortEntry) -> list[tuple[str, int, bool]]:
    """(severity, count, holds) of unacknowledged alerts: those that hold first, most severe
    first within."""
    holding = [(s, n, True) for s, n in entry.holding_alerts.items() if n]
    cleared = [(s, n, False) for s, n in entry.cleared_alerts.items() if n]
    return [
        *sorted(holding, key=lambda sn: -SEVERITY_RANK.get(sn[0], 0)),
        *sorted(cleared, key=lambda sn: -SEVERITY_RANK.get(sn[0], 0)),
    ]


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
        urgent=urgent,
        wanted=wanted,
        groups=PHENOTYPE_GROUPS,
        severities=list(SEVERITY_RANK),
        filtered=wanted != CohortFilter(),
        error=error,
        today=app.clock.today(),
    )
