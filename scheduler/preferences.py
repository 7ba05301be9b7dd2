"""How a recipient wants their tasks' email reminders: one email each, or a daily digest.

A person chooses for themselves (``reminder_preference``, set with `ildpath user reminders` or
on their account page); the clinic's list has its own setting (``ILDPATH_CLINIC_REMINDERS``,
``ILDPATH_DIGEST_HOUR``, the clinic's ``ILDPATH_TIMEZONE``). Critical-alert notices and
withdrawal notices are immediate whatever the choice: a digest a day late is no way to learn
of a CMV reactivation.

The rules live here, beside the planning that reads them, so the command line, the dashboard
and the settings refuse the same values with the same words.
"""

from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from pathway.errors import InvalidValue

__all__ = [
    "DEFAULT_DIGEST_HOUR",
    "DELIVERIES",
    "DIGEST",
    "IMMEDIATE",
    "ClinicDigestSettings",
    "check_delivery",
    "check_digest_hour",
    "check_timezone",
]

IMMEDIATE = "immediate"
DIGEST = "digest"
DELIVERIES = (IMMEDIATE, DIGEST)
DEFAULT_DIGEST_HOUR = 7


def check_delivery(value: str) -> str:
    if value not in DELIVERIES:
        raise InvalidValue("delivery", value, " or ".join(DELIVERIES))
    return value


def check_digest_hour(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 23:
        raise InvalidValue("hour", value, "a whole hour from 0 to 23 (7 for 07:00)")
    return value


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def check_timezone(value: str) -> str:
    """An IANA name the system's time zone database knows (``Europe/Paris``, ``UTC``): the
    digest goes out at the hour in that zone, summer and winter."""
    if value not in _zones():
        raise InvalidValue(
            "timezone",
            value,
            "an IANA time zone name such as Europe/Paris, America/New_York or UTC",
        )
    return value


@dataclass(frozen=True)
class ClinicDigestSettings:
    """The clinic's list (``ILDPATH_SMTP_RECIPIENTS``): immediate or a daily digest, at
    ``hour`` in the clinic's ``timezone``; checked when made, so a wrong setting stops the
    scheduler at start rather than silently at the digest hour."""

    delivery: str = IMMEDIATE
    hour: int = DEFAULT_DIGEST_HOUR
    timezone: str = "UTC"

    def __post_init__(self) -> None:
        check_delivery(self.delivery)
        check_digest_hour(self.hour)
        check_timezone(self.timezone)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
