"""GET and POST /patients/new: enrol a patient from the dashboard (CLINICAL_SPEC §1).

The same `EnrolPatient` and `enrol_patient` as ``ildpath patient enrol`` and ``POST
/api/patients``, so the same checks and the same messages — with the field named as the form
labels it. Success: 303 to the new patient's page, which says what the enrolment opened.
Refusal: the form again, what was typed kept, the message beside the field. Nothing is
written on a refusal.
"""

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import ImmutableMultiDict

from pathway.errors import InvalidValue
from pathway.labels import field_label

from ..api.security import Caller, clinic_app
from ..bootstrap import App
from ..errors import DuplicatePatient
from ..roles import Permission, RoleNotPermitted, require
from ..usecases import EnrolPatient, Outcome, enrol_patient
from .access import check_form, posted_form, signed_in
from .errors_page import error_page
from .flash import flash_query
from .form_values import day, number, text
from .patient_actions import patient_url
from .phenotype_fields import FormView, form_values, ticked
from .refusals import REFUSED, Refusal, refusal
from .templating import render

__all__ = ["enrolment", "router"]

router = APIRouter(include_in_schema=False)

SHOWN = (
    "id",
    "sex",
    "birth_date",
    "enrolled_on",
    "diagnosis",
    "anti_mda5",
    "anti_ars",
    "ild_course",
    "risk_factors",
    "weight_kg",
    "height_cm",
)
"""The form's fields, in order: every field of `EnrolPatient`."""

DEFAULTS = {"anti_mda5": "unknown", "anti_ars": "unknown"}
"""As the CLI and the API default them: an antibody not yet tested is ``unknown``."""


def _required(form: ImmutableMultiDict[str, Any], name: str) -> str:
    value = text(form, name)
    if value is None:
        raise InvalidValue(name, value, "a value (this field is required)")
    return value


def _patient_id(form: ImmutableMultiDict[str, Any]) -> str:
    """The id exactly as typed: a space at either end is refused by the id rule, as by every
    other way in, not trimmed here (trimmed, ``DEMO-0001 `` pasted from a spreadsheet would
    be enrolled as what the person did not type)."""
    _required(form, "id")
    return str(form.get("id"))


def enrolment(form: ImmutableMultiDict[str, Any], app: App) -> EnrolPatient:
    """The enrolment as posted, the required fields refused first when blank, in the form's
    order; the use case checks the values (as for the CLI and the API)."""
    today = app.clock.today()
    patient_id, sex = _patient_id(form), _required(form, "sex")
    _required(form, "birth_date")
    birth_date = day(form, "birth_date", today)
    enrolled_on = day(form, "enrolled_on", today)
    diagnosis = _required(form, "diagnosis")
    return EnrolPatient(
        id=patient_id,
        sex=sex,
        birth_date=birth_date,
        enrolled_on=enrolled_on,
        diagnosis=diagnosis,
        anti_mda5=text(form, "anti_mda5") or DEFAULTS["anti_mda5"],
        anti_ars=text(form, "anti_ars") or DEFAULTS["anti_ars"],
        ild_course=text(form, "ild_course"),
        risk_factors=ticked(form),
        weight_kg=number(form, "weight_kg"),
        height_cm=number(form, "height_cm"),
    )


def _refusal(error: Exception) -> Refusal:
    """As `refusal`, a duplicate id a conflict beside the id (the API answers 409 too)."""
    if isinstance(error, DuplicatePatient):
        said = str(error).removeprefix("id: ")
        return Refusal(409, f"{field_label('id')} (id): {said}", "id")
    return refusal(error)


def _form(
    request: Request, app: App, caller: Caller, view: FormView, status: int = 200
) -> HTMLResponse:
    today = app.clock.today()
    return render(request, caller, "enrol.html", status=status, nav="/", form=view, today=today)


@router.get("/patients/new", response_class=HTMLResponse)
def enrol_page(
    request: Request, app: App = Depends(clinic_app), caller: Caller = Depends(signed_in)
) -> HTMLResponse:
    try:
        require(caller.account.role, Permission.ENROL)
    except RoleNotPermitted as error:
        return error_page(request, caller, 403, "Not for your role", str(error))
    values = DEFAULTS | {"enrolled_on": app.clock.today().isoformat()}
    return _form(request, app, caller, FormView("enrol", SHOWN, values))


@router.post("/patients/new")
def enrol(
    request: Request,
    app: App = Depends(clinic_app),
    caller: Caller = Depends(signed_in),
    form: Any = Depends(posted_form),
) -> Response:
    check_form(caller, form)
    try:
        require(caller.account.role, Permission.ENROL)
        command = enrolment(form, app)
        outcome: Outcome = enrol_patient(app, command, caller.actor())
    except REFUSED as error:
        shown = _refusal(error)
        view = FormView("enrol", SHOWN, form_values(form), shown)
        return _form(request, app, caller, view, shown.status)
    raised = [a.id or 0 for a in outcome.alerts_raised]
    enrolled = outcome.patient_id  # the id as stored (NFC), which the patient page looks up
    query = flash_query(caller.csrf or "", enrolled, "enrolled", raised)
    return RedirectResponse(f"{patient_url(enrolled)}?{query}#status", status_code=303)
