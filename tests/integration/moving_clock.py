"""A clock the test moves by seconds (sign-in locks last seconds; `SimulatedClock` moves by
days). The only stand-in the tests use: time itself."""

from datetime import UTC, date, datetime, timedelta

__all__ = ["MovingClock"]


class MovingClock:
    """Stands at a set instant until moved on; the clinic's day is its UTC date."""

    def __init__(self, at: datetime = datetime(2026, 3, 2, 9, tzinfo=UTC)) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def today(self) -> date:
        return self.at.date()

    def move_on(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)
