"""The one range every date accepted from outside must fall in, whichever way it comes in
(API query and body, dashboard forms and filters, command-line options, FHIR resources,
enrolment and import files).

Python's dates run to 9999-12-31, but the engine adds months and days to what it is given
(a report period's end, a task's next due date, a reminder cadence): a date near the end of
the calendar overflows there, after the request was accepted, and a client saw a server
error (``GET /api/reports/cohort?to=9999-12-31``). The fixed range below is wide enough for
every clinical date (a birth 120 years before an enrolment today; prior history; tasks due
decades ahead) and leaves the arithmetic centuries of room. Fixed rather than relative to
today, so that a file accepted today is accepted tomorrow; the clinical checks (no future
date, not before birth, §11) still narrow it for each field.
"""

from datetime import date

from .errors import InvalidValue

__all__ = ["EARLIEST", "LATEST", "RANGE", "bounded_day", "read_day"]

EARLIEST = date(1900, 1, 1)
LATEST = date(2200, 12, 31)
RANGE = f"a date from {EARLIEST.isoformat()} to {LATEST.isoformat()}"
"""The range as a refusal names it."""


def bounded_day(field: str, day: date) -> date:
    """``day`` when within `EARLIEST`..`LATEST`; else the refusal naming ``field`` and the
    range."""
    if not EARLIEST <= day <= LATEST:
        raise InvalidValue(field, day.isoformat(), RANGE)
    return day


def read_day(field: str, value: object) -> date:
    """A date as a person or a file writes it (``YYYY-MM-DD``, or a date already read), within
    the range; anything else refused naming ``field``."""
    if isinstance(value, date):
        return bounded_day(field, value)
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        raise InvalidValue(field, value, f"a date YYYY-MM-DD ({RANGE})") from None
    return bounded_day(field, day)
