"""Scales (data -> pixels), value axes with round ticks and the date axis shared by the
time-based charts."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from .palette import GRID, MUTED
from .svg import el, text, text_width

__all__ = [
    "TICK_SIZE",
    "DateScale",
    "LinearScale",
    "ValueAxis",
    "date_axis",
    "date_ticks",
    "month_floor",
    "next_month",
    "nice_step",
    "value_axis",
]

TICK_SIZE = 11.0
"""Tick label size in chart units: 8.9 pt on A4 for a 640-unit chart filling the page width,
13 px on a 1366 px screen for a 1000-unit chart filling the dashboard's content."""


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


@dataclass(frozen=True)
class ValueAxis:
    """A value axis from ``lo`` to ``hi`` with a tick every ``step`` (both ends are ticks)."""

    lo: float
    hi: float
    step: float

    @property
    def ticks(self) -> list[float]:
        count = round((self.hi - self.lo) / self.step)
        return [self.lo + i * self.step for i in range(count + 1)]


def nice_step(raw: float) -> float:
    """The smallest 1, 2 or 5 x 10^k at or above ``raw``: ticks people count in."""
    if raw <= 0 or not math.isfinite(raw):
        return 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw * (1 - 1e-9))


def value_axis(
    values: Iterable[float],
    *,
    ticks: int = 5,
    margin: float = 0.05,
    min_span: float = 1.0,
    floor: float | None = None,
    from_zero: bool = False,
) -> ValueAxis:
    """An axis fitted to the data, so a change is drawn as large as the plot allows.

    The data's range (at least ``min_span`` wide, so one point or a wobble of a few tenths does
    not look like a cliff) is widened by ``margin`` of itself on each side, then rounded out to
    a nice step giving about ``ticks`` intervals. ``floor`` is a value the axis never goes
    below (0 for a quantity that cannot be negative); ``from_zero`` starts it at 0.
    """
    data = [v for v in values if math.isfinite(v)]
    lo, hi = (min(data), max(data)) if data else (0.0, 1.0)
    if from_zero:
        lo = min(lo, 0.0)
    if hi - lo < min_span:
        middle = (lo + hi) / 2
        lo, hi = middle - min_span / 2, middle + min_span / 2
    pad = (hi - lo) * margin
    lo, hi = (lo if from_zero else lo - pad), hi + pad
    if floor is not None and lo < floor:  # slide the window up rather than cut it
        lo, hi = floor, hi + (floor - lo)
    step = nice_step((hi - lo) / max(ticks, 1))
    return ValueAxis(math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step, step)


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


def date_axis(scale: DateScale, *, top: float, bottom: float, size: float = TICK_SIZE) -> list[str]:
    """Vertical gridlines from ``top`` to ``bottom`` at each tick and labels under ``bottom``."""
    ticks, fmt = date_ticks(scale.first, scale.last, (scale.right - scale.left) * 10 / size)
    parts = [el("line", x1=scale.left, y1=bottom, x2=scale.right, y2=bottom, stroke=MUTED)]
    for tick in ticks:
        x = scale(tick)
        parts.append(el("line", x1=x, y1=top, x2=x, y2=bottom, stroke=GRID, stroke_width=1))
        parts.append(el("line", x1=x, y1=bottom, x2=x, y2=bottom + 4, stroke=MUTED))
        label = tick.strftime(fmt)
        # a label centred on a tick near the right edge would be cut off: end it at the tick
        anchor = "end" if x + text_width(label, size) / 2 > scale.right + 8 else "middle"
        parts.append(text(x, bottom + 6 + size, label, size=size, anchor=anchor, fill=MUTED))
    return parts
