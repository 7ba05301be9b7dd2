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
    another time (a digest hour, a retry), plus a tick per read so instants stay ordered."""

    def __init__(self, day: date) -> None:
        self._day = day
        self._at = time(12)
        self._ticks = 0

    def move_to(self, day: date, at: time = time(12)) -> None:
        """To ``at`` (UTC) on ``day``."""
        if (day, at) != (self._day, self._at):
            self._day, self._at, self._ticks = day, at, 0

    def now(self) -> datetime:
        self._ticks += 1
        return datetime.combine(self._day, self._at, UTC) + timedelta(microseconds=self._ticks)

    def today(self) -> date:
        return self._day
