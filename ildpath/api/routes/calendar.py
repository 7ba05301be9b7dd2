"""GET /calendar/{secret}.ics: a user's calendar feed, for calendar apps to subscribe to.

No session and no Bearer token: calendar apps can send neither, so the secret in the path is
the credential (`ildpath.accounts.calendar_feeds`). An unknown, revoked or deactivated
user's secret gets the same bare 404, so the address says nothing about the account. The
answer may be kept by the subscriber's own app but never by a shared cache (``private``),
and the secret is masked in the server's access log, which is kept longer and read by more
people than the feed.
"""

import logging
import re
from typing import Any

from fastapi import APIRouter, Depends, Response

from ...accounts.calendar_feeds import feed_for_token
from ...bootstrap import App
from ...usecases.calendar_feed import feed_calendar
from ...usecases.listings import Listing
from ..problems import problem
from ..security import clinic_app

__all__ = ["FeedSecretsMasked", "hide_feed_secrets_in_access_log", "router"]

router = APIRouter(tags=["calendar"])

CALENDAR = "text/calendar; charset=utf-8"
_NOT_FOUND = "No such calendar feed."
"""The one answer for an unknown, revoked or deactivated user's secret."""
_SECRET_IN_PATH = re.compile(r"(/calendar/)[^/?#\s]+(\.ics)")


@router.get(
    "/calendar/{token}.ics",
    summary="A calendar feed (the secret in the path is the credential; no sign-in)",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}, 404: {"description": "No such feed"}},
)
def calendar_feed(token: str, app: App = Depends(clinic_app)) -> Response:
    feed = feed_for_token(app, token)
    if feed is None:
        return problem(404, "not-found", "Not found", _NOT_FOUND)
    return Response(
        feed_calendar(app, feed, Listing(feed.actor, "calendar", f"calendar feed ({feed.scope})")),
        media_type=CALENDAR,
        headers={
            "Cache-Control": "private, no-store",
            "Content-Disposition": 'inline; filename="ildpath-tasks.ics"',
        },
    )


class FeedSecretsMasked(logging.Filter):
    """Writes ``/calendar/…ics`` for a feed's path in uvicorn's access log lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_masked(arg) for arg in record.args)
        elif isinstance(record.msg, str):
            record.msg = _masked(record.msg)
        return True


def _masked(value: Any) -> Any:
    return _SECRET_IN_PATH.sub(r"\1…\2", value) if isinstance(value, str) else value


def hide_feed_secrets_in_access_log() -> None:
    """Install `FeedSecretsMasked` on uvicorn's access log, once per process."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, FeedSecretsMasked) for f in access.filters):
        access.addFilter(FeedSecretsMasked())
