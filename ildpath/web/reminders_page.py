"""GET /reminders: the reminder deliveries that are failing, for the coordinators and the
administrator, with "Retry now" for one and for all (POST /reminders/retry, with the session's
CSRF token); the cohort board and the worklist carry a notice linking here while any is failing.

A delivery nobody sees failing is a reminder nobody gets: the page says which patient and task
it was about, on which channel, how often it was tried, the last error (what to fix: a
password, a receiver's URL) and when it is tried next. The same list and re-queue as `ildpath
reminders list --failed` and `ildpath reminders retry` (`ildpath.usecases.reminder_deliveries`).
"""

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from ..api.security import Caller, clinic_app
from ..bootstrap import App
from ..roles import Permission, RoleNotPermitted, require
from ..usecases.listings import Listing, log_listing
from ..usecases.reminder_deliveries import (
    DeliveryView,
    failing_count,
    list_deliveries,
    retry_deliveries,
    what,
)
from .access import check_form, may, posted_form, signed_in
from .errors_page import error_page
from .flash import Flash, flash_query, read_flash
from .form_values import text
from .refusals import REFUSED, refusal
from .templating import render

__all__ = ["REMINDERS", "failing_notice", "router"]

router = APIRouter(include_in_schema=False)

REMINDERS = "/reminders"
ALL_FAILING = "failing"
"""The ``all`` field of the "Retry all now" form."""


def failing_notice(app: App, caller: Caller) -> int:
    """How many deliveries are failing, for the notice on the board and the worklist: 0 for
    a role that may not act on them (the notice would be a link to a refusal)."""
    if not may(caller, Permission.MANAGE_REMINDERS):
        return 0
    return failing_count(app)


def standing(view: DeliveryView) -> str:
    """Where the delivery stands, in words."""
    if view.status == "failed":
        return "Failed: fix the cause, then retry"
    if view.status == "expired":
        return "Given up at the age limit"
    if view.next_attempt_at is None:
        return "Re-queued: tried at the next pass"
    return "Failing: retried on its own"


def next_attempt(view: DeliveryView) -> str:
    if view.status != "pending":
        return "only if retried"
    if view.next_attempt_at is None:
        return "next pass"
    return _when(view.next_attempt_at)


def _when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC") if at else ""


def show_deliveries(
    request: Request,
    app: App,
    caller: Caller,
    *,
    error: str = "",
    status: int = 200,
    flash: Flash | None = None,
) -> HTMLResponse:
    try:
        require(caller.account.role, Permission.MANAGE_REMINDERS)
    except RoleNotPermitted as refused:
        return error_page(request, caller, 403, "Not for your role", str(refused))
    views = list_deliveries(app, failing=True)
    shown = Listing(caller.actor(), "dashboard", "failing reminders", request.url.query)
    log_listing(app, shown, (view.patient_id for view in views))
    return render(
        request,
        caller,
        "reminders.html",
        status=status,
        nav=REMINDERS,
        deliveries=views,
        total=failing_count(app),
        what=what,
        standing=standing,
        next_attempt=next_attempt,
        when=_when,
        error=error,
        flash=flash,
    )


@router.get(REMINDERS, response_class=HTMLResponse)
def reminder_deliveries(
    request: Request, app: App = Depends(clinic_app), caller: Caller = Depends(signed_in)
) -> HTMLResponse:
    flash = read_flash(caller.csrf or "", REMINDERS, request.query_params)
    return show_deliveries(request, app, caller, flash=flash)


def _retry(app: App, caller: Caller, form: FormData) -> list[DeliveryView]:
    require(caller.account.role, Permission.MANAGE_REMINDERS)
    if text(form, "all") == ALL_FAILING:
        return retry_deliveries(app, [], caller.actor(), all_failing=True)
    return retry_deliveries(app, [text(form, "key") or ""], caller.actor())


@router.post(REMINDERS + "/retry")
def retry(
    request: Request,
    app: App = Depends(clinic_app),
    caller: Caller = Depends(signed_in),
    form: FormData = Depends(posted_form),
) -> Response:
    check_form(caller, form)
    try:
        done = _retry(app, caller, form)
    except REFUSED as refused:
        said = refusal(refused)
        message = f"Nothing was re-queued. {said.message}"
        return show_deliveries(request, app, caller, error=message, status=said.status)
    code = "requeued" if done else "requeued_none"
    query = flash_query(caller.csrf or "", REMINDERS, code, [])
    return RedirectResponse(f"{REMINDERS}?{query}#status", status_code=303)
