"""Lung function over time: FVC and DLCO % predicted, the two numbers that define progression."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .palette import GRID, INK, MUTED, SERIES, WHITE
from .scales import (
    TICK_SIZE,
    DateScale,
    LinearScale,
    ValueAxis,
    date_axis,
    month_floor,
    next_month,
    value_axis,
)
from .svg import el, empty_chart, esc, fmt_value, num, svg_document, text

__all__ = ["PREDICTED", "PftPoint", "pft_chart"]

WIDTH, HEIGHT = 640.0, 300.0
"""The printed size (A4 portrait's content width); the dashboard asks for a wider one."""
LEFT, TOP, MARGIN = 52.0, 58.0, 16.0
"""Room for the value ticks, the title and legend, and the right-hand edge."""
MIN_SPAN = 10.0
"""The y axis spans at least 10 points of % predicted: a 5-point FVC fall (the progression
threshold, §5) fills half the plot, a 1-point wobble does not look like a cliff."""
PREDICTED = ((100.0, "predicted"),)
"""Reference lines drawn when the axis reaches them: 100% is the predicted value itself."""
_SERIES = (("fvc", "FVC"), ("dlco", "DLCO"))


@dataclass(frozen=True)
class PftPoint:
    on: date
    fvc_pct: float | None  # FVC % predicted
    dlco_pct: float | None  # DLCO % predicted


def _values(points: Sequence[PftPoint], key: str) -> list[tuple[date, float]]:
    """One series in date order; a missing (or non-numeric) measure is simply not plotted."""
    out = []
    for point in points:
        value = point.fvc_pct if key == "fvc" else point.dlco_pct
        if value is not None and math.isfinite(value):
            out.append((point.on, float(value)))
    return out


def _marker(key: str, x: float, y: float, tooltip: str | None) -> str:
    """FVC circles, DLCO squares: the series differ in shape as well as colour."""
    colour = SERIES[key]
    title = () if tooltip is None else (el("title", esc(tooltip)),)
    if key == "fvc":
        return el("circle", *title, cx=x, cy=y, r=4.5, fill=colour, stroke=WHITE, stroke_width=1)
    return el("rect", *title, x=x - 4, y=y - 4, width=8.0, height=8.0, fill=colour, stroke=WHITE)


def _legend(keys: list[str], y: float, right: float) -> list[str]:
    """Line style and marker of each series that has data, right-aligned above the plot."""
    parts, x = [], right - 145 * len(keys)
    for key, name in _SERIES:
        if key not in keys:
            continue
        dash = None if key == "fvc" else "5 3"
        colour = SERIES[key]
        parts.append(
            el(
                "line",
                x1=x,
                y1=y,
                x2=x + 24,
                y2=y,
                stroke=colour,
                stroke_width=2,
                stroke_dasharray=dash,
            )
        )
        parts.append(_marker(key, x + 12, y, None))
        parts.append(text(x + 30, y + 4, f"{name} % predicted", size=TICK_SIZE))
        x += 145
    return parts


def _describe(series: dict[str, list[tuple[date, float]]]) -> str:
    sentences = []
    for key, name in _SERIES:
        values = series[key]
        if not values:
            sentences.append(f"No {name} recorded.")
            continue
        (first_on, first), (last_on, last) = values[0], values[-1]
        low = min(v for _, v in values)
        sentences.append(
            f"{name} % predicted: {len(values)} measurement{'' if len(values) == 1 else 's'}, "
            f"from {fmt_value(first)}% on {first_on.isoformat()} to {fmt_value(last)}% on "
            f"{last_on.isoformat()}, lowest {fmt_value(low)}%."
        )
    return " ".join(sentences)


def _y_axis(ys: LinearScale, axis: ValueAxis, left: float, right: float) -> list[str]:
    """Gridlines and labels at the axis ticks, and "% predicted" above them."""
    body = [text(MARGIN / 2, TOP - 10, "% predicted", size=TICK_SIZE, fill=MUTED)]
    for tick in axis.ticks:
        y = ys(tick)
        body.append(el("line", x1=left, y1=y, x2=right, y2=y, stroke=GRID, stroke_width=1))
        label = fmt_value(tick)
        body.append(text(left - 6, y + 4, label, size=TICK_SIZE, anchor="end", fill=MUTED))
    return body


def _references(
    ys: LinearScale, axis: ValueAxis, left: float, right: float, lines: Sequence[tuple[float, str]]
) -> list[str]:
    """Each reference line within the axis, dashed, its label at its right-hand end."""
    body = []
    for value, label in lines:
        if not axis.lo <= value <= axis.hi:
            continue
        y = ys(value)
        body.append(
            el(
                "line",
                x1=left,
                y1=y,
                x2=right,
                y2=y,
                stroke=INK,
                stroke_width=1,
                stroke_dasharray="2 3",
            )
        )
        body.append(text(right - 4, y - 4, label, size=TICK_SIZE, anchor="end", fill=MUTED))
    return body


def pft_chart(
    points: Sequence[PftPoint],
    *,
    title: str,
    id_prefix: str = "pft",
    width: float = WIDTH,
    height: float = HEIGHT,
    references: Sequence[tuple[float, str]] = PREDICTED,
) -> str:
    """The trend a clinician reads at a glance: is FVC or DLCO falling, and since when?

    Both series share one % predicted axis fitted to their values (at least ``MIN_SPAN``
    points, with round ticks), so a fall in either is drawn as tall as the plot allows and on
    the same scale; a reference line is drawn where the axis reaches it. Each marker's tooltip
    gives the exact date and value. The chart scales to the width it is given (``width`` sets
    the proportions and how large the text is against them).
    """
    points = sorted(points, key=lambda p: p.on)
    series = {key: _values(points, key) for key, _ in _SERIES}
    if not series["fvc"] and not series["dlco"]:
        return empty_chart(title=title, message="No PFT recorded", id_prefix=id_prefix)

    right, bottom = width - MARGIN, height - 32
    days = [d for values in series.values() for d, _ in values]
    latest = max(days)
    first = month_floor(min(days))
    last = latest if latest.day == 1 and latest > first else next_month(latest)
    xs = DateScale(first, last, LEFT, right)
    axis = value_axis(
        (v for values in series.values() for _, v in values), min_span=MIN_SPAN, floor=0.0
    )
    ys = LinearScale(axis.lo, axis.hi, bottom, TOP)

    body = _y_axis(ys, axis, LEFT, right)
    body += date_axis(xs, top=TOP, bottom=bottom)
    body.append(el("line", x1=LEFT, y1=TOP, x2=LEFT, y2=bottom, stroke=MUTED))
    body += _references(ys, axis, LEFT, right, references)
    body += _legend([key for key, _ in _SERIES if series[key]], 34.0, right)

    for key, name in _SERIES:
        values = series[key]
        if not values:
            continue
        coords = " ".join(f"{num(xs(d))},{num(ys(v))}" for d, v in values)
        dash = None if key == "fvc" else "5 3"
        line = el(
            "polyline",
            points=coords,
            fill="none",
            stroke=SERIES[key],
            stroke_width=2,
            stroke_dasharray=dash,
            stroke_linejoin="round",
        )
        markers = [
            _marker(key, xs(d), ys(v), f"{d.isoformat()}: {name} {fmt_value(v)}%")
            for d, v in values
        ]
        body.append(el("g", line, *markers))

    return svg_document(
        width=width,
        height=height,
        title=title,
        desc=f"{_describe(series)} Axis from {fmt_value(axis.lo)} to {fmt_value(axis.hi)}% "
        "predicted.",
        id_prefix=id_prefix,
        body=body,
        fluid=True,
    )
