"""GET /patients/{id}: one patient's page. Every view is written to the access log."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from persistence.errors import ConcurrencyConflict

from ..accounts import list_users
from ..api.security import Caller, clinic_app
from ..bootstrap import App
from ..errors import PatientNotFound
from ..roles import Permission, RoleNotPermitted, require
from ..usecases import patient_summary
from ..usecases.views import record_view
from .access import may, signed_in
from .errors_page import error_page
from .flash import read_flash
from .patient_view import FormState, closing_form, patient_context
from .templating import render

__all__ = ["router", "show_patient"]

router = APIRouter(include_in_schema=False)


def show_patient(
    request: Request,
    app: App,
    caller: Caller,
    patient_id: str,
    *,
    refused: FormState | None = None,
) -> HTMLResponse:
    """The page as it stands now (with a refused form drawn again, if any), logged as seen."""
    try:
        require(caller.account.role, Permission.READ)
        summary = patient_summary(app, patient_id)
    except PatientNotFound:
        return error_page(request, caller, 404, "No such patient", f"No patient {patient_id!r}.")
    except RoleNotPermitted as error:
        return error_page(request, caller, 403, "Not for your role", str(error))
    flash = None
    if refused is None and caller.csrf is not None:
        flash = read_flash(caller.csrf, patient_id, request.query_params)
    if refused is None:
        refused = closing_form(app, patient_id, request.query_params.get("close_task"))
    # who a task may be assigned to: read only for those who may assign
    assigns = may(caller, Permission.MANAGE_TASKS)
    people = tuple(u.username for u in list_users(app) if u.active) if assigns else ()
    context = patient_context(summary, caller, flash=flash, refused=refused, people=people)
    try:
        record_view(app, patient_id, caller.actor(), via="dashboard", what="patient page")
    except ConcurrencyConflict:  # the view could not be logged: it is not shown
        return error_page(
            request,
            caller,
            503,
            "Busy",
            "Many people are opening this record at once: reload the page.",
        )
    status = refused.refusal.status if refused is not None and refused.refusal else 200
    return render(request, caller, "patient.html", status=status, nav="/", **context)


@router.get("/patients/{patient_id}", response_class=HTMLResponse)
def patient_page(
    patient_id: str,
    request: Request,
    app: App = Depends(clinic_app),
    caller: Caller = Depends(signed_in),
) -> HTMLResponse:
    return show_patient(request, app, caller, patient_id)
