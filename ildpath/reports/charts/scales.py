"""Scales (data -> pixels) and the date axis shared by the time-based charts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .palette import GRID, MUTED
from .svg import el, text, text_width

__all__ = ["DateScale", "LinearScale", "date_axis", "date_ticks", "month_floor", "next_month"]


@dataclass(frozen=True)
class LinearScale:
    """Maps ``[lo, hi]`` onto ``[start, stop]`` pixels (``stop < start`` for an upward y axis)."""

    lo: float
    hi: float
    start: float
    stop: float

    def __call__(self, value: float) -> float:
        if self.hi == self.lo:
            return self.start
        return self.start + (value - self.lo) / (self.hi - self.lo) * (self.stop - self.start)


@dataclass(frozen=True)
class DateScale:
    """Maps days in ``[first, last]`` onto ``[left, right]`` pixels."""

    first: date
    last: date
    left: float
    right: float

    def __call__(self, day: date) -> float:
        span = (self.last - self.first).days
        if span <= 0:
            return self.left
        return self.left + (day - self.first).days / span * (self.right - self.left)

    def clamp(self, day: date) -> date:
        return min(max(day, self.first), self.last)


def month_floor(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _months(first: date, last: date, step: int) -> list[date]:
    ticks: list[date] = []
    day = first if first.day == 1 else next_month(first)
    while day <= last:
        if (day.year * 12 + day.month - 1) % step == 0:
            ticks.append(day)
        day = next_month(day)
    return ticks


def date_ticks(first: date, last: date, width: float) -> tuple[list[date], str]:
    """Tick dates and their label format for an axis ``width`` pixels wide.

    Month starts labelled YYYY-MM, thinned to a step (1, 2, 3, 6, 12... months) that leaves
    room for every label; a span too short for two month ticks gets day ticks (YYYY-MM-DD).
    """
    max_month_ticks = max(int(width // 64), 2)
    if len(_months(first, last, 1)) >= 2:
        for step in (1, 2, 3, 4, 6, 12, 24, 60, 120):
            ticks = _months(first, last, step)
            if len(ticks) <= max_month_ticks:
                return ticks, "%Y-%m"
        return ticks, "%Y-%m"
    span = (last - first).days
    max_day_ticks = max(int(width // 84), 2)
    step = next((s for s in (1, 2, 7, 14, 28) if span // s + 1 <= max_day_ticks), 28)
    return [first + timedelta(days=d) for d in range(0, span + 1, step)], "%Y-%m-%d"


def date_axis(scale: DateScale, *, top: float, bottom: float) -> list[str]:
    """Vertical gridlines from ``top`` to ``bottom`` at each tick and labels under ``bottom``."""
    ticks, fmt = date_ticks(scale.first, scale.last, scale.right - scale.left)
    parts = [el("line", x1=scale.left, y1=bottom, x2=scale.right, y2=bottom, stroke=MUTED)]
    for tick in ticks:
        x = scale(tick)
        parts.append(el("line", x1=x, y1=top, x2=x, y2=bottom, stroke=GRID, stroke_width=1))
        parts.append(el("line", x1=x, y1=bottom, x2=x, y2=bottom + 4, stroke=MUTED))
        label = tick.strftime(fmt)
        # a label centred on a tick near the right edge would be cut off: end it at the tick
        anchor = "end" if x + text_width(label, 10) / 2 > scale.right + 8 else "middle"
        parts.append(text(x, bottom + 16, label, size=10, anchor=anchor, fill=MUTED))
    return parts
