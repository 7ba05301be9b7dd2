"""GET /reports: the cohort report to download (a GET form sent straight to the API's
``/api/reports/cohort``, which accepts the session cookie), for roles that may report."""

from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from ..api.security import Caller, clinic_app
from ..bootstrap import App
from ..reports.output import REPORT_FORMATS
from ..roles import ROLES, Permission
from .access import may, signed_in
from .templating import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

FORMAT_NAMES = {
    "html": "HTML (web page)",
    "pdf": "PDF (to print or archive)",
    "csv": "CSV (spreadsheet)",
    "json": "JSON (data)",
}


@router.get("/reports", response_class=HTMLResponse)
def reports(
    request: Request, app: App = Depends(clinic_app), caller: Caller = Depends(signed_in)
) -> HTMLResponse:
    today = app.clock.today()
    return render(
        request,
        caller,
        "reports.html",
        nav="/reports",
        can_report=may(caller, Permission.REPORT),
        reporting_roles=sorted(r for r, p in ROLES.items() if Permission.REPORT in p),
        formats=[(f, FORMAT_NAMES.get(f, f)) for f in REPORT_FORMATS],
        start=date(today.year, 1, 1),
        end=today,
    )
