"""The time zones the Reminders form offers as the person types (a datalist): the names the
server's zone database knows, so what the browser suggests is what the server accepts."""

from functools import cache
from zoneinfo import available_timezones

__all__ = ["time_zones"]


@cache
def time_zones() -> tuple[str, ...]:
    """Region/City names (and UTC), sorted; the old aliases (``US/Eastern``, ``Etc/GMT+1``)
    are accepted when typed but not offered."""
    regions = tuple(
        f"{region}/"
        for region in (
            "Africa",
            "America",
            "Antarctica",
            "Asia",
            "Atlantic",
            "Australia",
            "Europe",
            "Indian",
            "Pacific",
        )
    )
    offered = {z for z in available_timezones() if z.startswith(regions)} | {"UTC"}
    return tuple(sorted(offered))
