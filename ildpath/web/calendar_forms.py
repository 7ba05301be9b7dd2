"""The account page's calendar subscription forms: issue a feed, revoke one.

A person issues and revokes their own feeds; an admin anyone's (the use case decides, as it
does for the command line). The session's CSRF token is checked first, as on every form. A
feed just issued is shown on the answer itself, this once: its address is the credential
and must never travel in a redirect's URL, where history and logs would keep it. Refusal:
the page again, the message beside the form, nothing written.
"""

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from ..accounts import FeedNotFound, FeedNotYours, issue_feed, list_feeds, revoke_feed
from ..api.security import Caller, clinic_app
from ..bootstrap import App
from .access import check_form, posted_form, signed_in
from .accounts_page import ACCOUNTS, account_url, notice_query, show_account
from .form_values import text, typed
from .patient_view import FormState
from .refusals import REFUSED, Refusal, refusal

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_APP = Depends(clinic_app)
_CALLER = Depends(signed_in)
_FORM = Depends(posted_form)


def _refusal(error: Exception) -> Refusal:
    if isinstance(error, FeedNotYours):
        return Refusal(403, str(error), error.field)
    return refusal(error)


@router.post(ACCOUNTS + "/{username}/calendar")
def issue(
    username: str,
    request: Request,
    app: App = _APP,
    caller: Caller = _CALLER,
    form: FormData = _FORM,
) -> Response:
    """The feed's address is in this answer only: the page is drawn here, not redirected."""
    check_form(caller, form)
    try:
        feed = issue_feed(
            app,
            username,
            text(form, "scope") or "",
            by=caller.account.username,
            by_role=caller.account.role,
        )
    except REFUSED as error:
        refused = FormState("calendar", _refusal(error), typed(form))
        return show_account(request, app, caller, username, refused=refused)
    return show_account(request, app, caller, username, feed=feed)


@router.post(ACCOUNTS + "/{username}/calendar/{feed_id}/revoke")
def revoke(
    username: str,
    feed_id: int,
    request: Request,
    app: App = _APP,
    caller: Caller = _CALLER,
    form: FormData = _FORM,
) -> Response:
    check_form(caller, form)
    try:
        if feed_id not in {f.id for f in list_feeds(app, username)}:
            raise FeedNotFound(feed_id)
        revoke_feed(app, feed_id, by=caller.account.username, by_role=caller.account.role)
    except REFUSED as error:
        refused = FormState("feeds", _refusal(error), typed(form))
        return show_account(request, app, caller, username, refused=refused)
    query = notice_query(caller.csrf or "", username, "feed_revoked", str(feed_id))
    return RedirectResponse(f"{account_url(username)}?{query}#status", status_code=303)
