"""POST /account/reminders: a person's own reminder choice, from their account page.

Only one's own: the path names no user, so no form, kept or forged, can change someone else's
(an admin does that at the terminal, `ildpath user reminders`). Checked like every form: the
session's CSRF token, then the values (`ildpath.accounts.set_reminder_choice` refuses a wrong
one naming the field and what is allowed); success: 303 back to the page with a notice;
refusal: the page again, the message beside the form, what was typed kept, nothing written.
"""

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from pathway.errors import InvalidValue
from scheduler.preferences import DELIVERIES

from ..accounts import set_reminder_choice
from ..api.security import Caller, clinic_app
from ..bootstrap import App
from .access import check_form, posted_form, signed_in
from .accounts_page import OWN_ACCOUNT, notice_query, show_account
from .form_values import text, typed
from .patient_view import FormState
from .refusals import REFUSED, refusal

__all__ = ["REMINDERS", "router"]

router = APIRouter(include_in_schema=False)

REMINDERS = OWN_ACCOUNT + "/reminders"
_HOUR_ALLOWED = "a whole hour from 0 to 23 (7 for 07:00)"


def _hour(form: FormData) -> int:
    value = text(form, "hour")
    if value is None or not value.isdigit():
        raise InvalidValue("hour", value, _HOUR_ALLOWED)
    return int(value)


def _delivery(form: FormData) -> str:
    value = text(form, "delivery")
    if value is None:
        raise InvalidValue("delivery", value, " or ".join(DELIVERIES))
    return value


@router.post(REMINDERS)
def save_reminders(
    request: Request,
    app: App = Depends(clinic_app),
    caller: Caller = Depends(signed_in),
    form: FormData = Depends(posted_form),
) -> Response:
    check_form(caller, form)
    me = caller.account.username
    try:
        set_reminder_choice(
            app,
            me,
            delivery=_delivery(form),
            hour=_hour(form),
            timezone=text(form, "timezone") or "",
            by=me,
            by_role=caller.account.role,
        )
    except REFUSED as error:
        refused = FormState("reminders", refusal(error), typed(form))
        return show_account(request, app, caller, me, refused=refused, own_page=True)
    query = notice_query(caller.csrf or "", me, "reminders")
    return RedirectResponse(f"{OWN_ACCOUNT}?{query}#status", status_code=303)
