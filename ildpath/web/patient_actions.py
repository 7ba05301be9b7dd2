"""The patient page's forms: record an entry, fire a trigger, acknowledge an alert.

Each post is checked in the same order: the session's CSRF token, the role, the page's
version of the patient (so a stale form is refused, never applied over a colleague's entry),
then the same use case the REST API calls. Success: 303 back to the page, with what was done
and the alerts it raised. Refusal: the page again, the message beside the form.
"""

from collections.abc import Callable
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from ..api.security import Caller, clinic_app
from ..bootstrap import App
from ..errors import AlertNotFound
from ..roles import Permission, require
from ..usecases import Outcome, acknowledge_alert, fire_trigger
from ..usecases.alerts import list_alerts
from .access import check_form, posted_form, signed_in
from .entry_forms import ENTRY_FORMS, record_entry
from .errors_page import error_page
from .flash import flash_query
from .form_values import text, typed, version
from .patient_page import show_patient
from .patient_view import FormState
from .refusals import REFUSED, refusal
from .trigger_form import trigger_command

__all__ = ["act_and_answer", "patient_url", "router"]

router = APIRouter(include_in_schema=False)

_APP = Depends(clinic_app)
_CALLER = Depends(signed_in)
_FORM = Depends(posted_form)


def patient_url(patient_id: str) -> str:
    return "/patients/" + quote(patient_id, safe="")


def act_and_answer(
    request: Request,
    app: App,
    caller: Caller,
    patient_id: str,
    form: FormData,
    key: str,
    permission: Permission,
    act: Callable[[], Outcome],
    done: str,
) -> Response:
    """Check, act, and answer: a redirect with the news, or the page with the refusal."""
    check_form(caller, form)
    try:
        require(caller.account.role, permission)
        outcome = act()
    except REFUSED as error:
        refused = FormState(key, refusal(error), typed(form))
        return show_patient(request, app, caller, patient_id, refused=refused)
    raised = [a.id or 0 for a in outcome.alerts_raised] + [a.id for a in outcome.alerts_withdrawn]
    query = flash_query(caller.csrf or "", patient_id, done, raised)
    return RedirectResponse(f"{patient_url(patient_id)}?{query}#status", status_code=303)


@router.post("/patients/{patient_id}/record/{kind}")
def record(
    patient_id: str,
    kind: str,
    request: Request,
    app: App = _APP,
    caller: Caller = _CALLER,
    form: FormData = _FORM,
) -> Response:
    if kind not in ENTRY_FORMS:
        return error_page(request, caller, 404, "No such form", f"Nothing records {kind!r}.")
    return act_and_answer(
        request,
        app,
        caller,
        patient_id,
        form,
        kind,
        Permission.RECORD,
        lambda: record_entry(app, patient_id, kind, form, caller.actor(), version(form)),
        kind,
    )


@router.post("/patients/{patient_id}/trigger")
def trigger(
    patient_id: str,
    request: Request,
    app: App = _APP,
    caller: Caller = _CALLER,
    form: FormData = _FORM,
) -> Response:
    def fire() -> Outcome:
        command = trigger_command(form, app.clock.today())
        return fire_trigger(
            app, patient_id, command, caller.actor(), expected_version=version(form)
        )

    return act_and_answer(
        request,
        app,
        caller,
        patient_id,
        form,
        "trigger",
        Permission.FIRE_TRIGGER,
        fire,
        text(form, "trigger") or "",
    )


@router.post("/alerts/{alert_id}/acknowledge")
def acknowledge(
    alert_id: int,
    request: Request,
    app: App = _APP,
    caller: Caller = _CALLER,
    form: FormData = _FORM,
) -> Response:
    patient_id = text(form, "patient") or ""

    def ack() -> Outcome:
        if alert_id not in {a.id for a in list_alerts(app, patient_id=patient_id, status="all")}:
            raise AlertNotFound(alert_id)
        return acknowledge_alert(app, alert_id, text(form, "justification") or "", caller.actor())

    return act_and_answer(
        request,
        app,
        caller,
        patient_id,
        form,
        f"ack-{alert_id}",
        Permission.ACKNOWLEDGE_ALERT,
        ack,
        "acknowledged",
    )
