"""Time is passed in (ARCHITECTURE): use cases ask a Clock, never the system directly, so the
scenario runner and the simulated scheduler can move time."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

__all__ = ["Clock", "SimulatedClock", "SystemClock"]


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...

    def today(self) -> date:
        """The clinic's current day (in its time zone)."""
        ...


class SystemClock:
    """The real clock, read in the clinic's time zone for the day."""

    def __init__(self, timezone: str = "UTC") -> None:
        self._zone = ZoneInfo(timezone)

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return datetime.now(self._zone).date()


class SimulatedClock:
    """A clock that stands still until moved: midday (UTC) of a clinic day unless told
    another time (a digest hour) or `advance`d (minutes of a retry schedule), plus a tick per
    read so instants stay ordered."""

    def __init__(self, day: date) -> None:
        self._day = day
        self._since_midday = timedelta(0)
        self._ticks = 0

    def move_to(self, day: date, at: time = time(12)) -> None:
        """To ``at`` (UTC) on ``day``."""
        since_midday = datetime.combine(day, at) - datetime.combine(day, time(12))
        if (day, since_midday) != (self._day, self._since_midday):
            self._day, self._since_midday, self._ticks = day, since_midday, 0

    def advance(self, by: timedelta) -> None:
        """Move on by ``by`` (minutes of a retry schedule, or days): the day follows."""
        instant = datetime.combine(self._day, time(12), UTC) + self._since_midday + by
        self._day = instant.date()
        self._since_midday = instant - datetime.combine(self._day, time(12), UTC)
        self._ticks = 0

    def now(self) -> datetime:
        self._ticks += 1
        midday = datetime.combine(self._day, time(12), UTC)
        return midday + self._since_midday + timedelta(microseconds=self._ticks)

    def today(self) -> date:
        return self._day
