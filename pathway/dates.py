"""Calendar arithmetic in the spec's terms (§8: "+ n months" are calendar months, clamped)."""

import calendar
from datetime import date, timedelta
from functools import lru_cache

__all__ = ["add_days", "add_months", "days_between"]


@lru_cache(maxsize=65536)
def add_months(day: date, months: int) -> date:
    """``day`` plus calendar months, clamped to the month's end (08-31 + 6 months = 02-28).

    Cached: the PFT ledgers ask for the same few dates on every evaluation."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def add_days(day: date, days: int) -> date:
    return day + timedelta(days=days)


def days_between(start: date, end: date) -> int:
    return (end - start).days
