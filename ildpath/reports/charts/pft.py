"""Lung function over time: FVC and DLCO % predicted, the two numbers that define progression."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .palette import GRID, MUTED, SERIES, WHITE
from .scales import DateScale, LinearScale, date_axis, month_floor, next_month
from .svg import el, empty_chart, esc, fmt_value, num, svg_document, text

__all__ = ["PftPoint", "pft_chart"]

WIDTH, HEIGHT = 640.0, 300.0
LEFT, RIGHT, TOP, BOTTOM = 46.0, 624.0, 58.0, 268.0
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


def _legend(keys: list[str], y: float) -> list[str]:
    """Line style and marker of each series that has data, right-aligned above the plot."""
    parts, x = [], RIGHT - 145 * len(keys)
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
        parts.append(text(x + 30, y + 4, f"{name} % predicted", size=11))
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


def pft_chart(points: Sequence[PftPoint], *, title: str, id_prefix: str = "pft") -> str:
    """The trend a clinician reads at a glance: is FVC or DLCO falling, and since when?

    Both series share one 0-120+ % predicted axis (gridlines every 20) so a fall in either is
    seen on the same scale; each marker's tooltip gives the exact date and value.
    """
    points = sorted(points, key=lambda p: p.on)
    series = {key: _values(points, key) for key, _ in _SERIES}
    if not series["fvc"] and not series["dlco"]:
        return empty_chart(title=title, message="No PFT recorded", id_prefix=id_prefix)

    days = [d for values in series.values() for d, _ in values]
    latest = max(days)
    first = month_floor(min(days))
    last = latest if latest.day == 1 and latest > first else next_month(latest)
    xs = DateScale(first, last, LEFT, RIGHT)
    top_value = max([120.0] + [v for values in series.values() for _, v in values])
    top_value = math.ceil(top_value / 20) * 20
    ys = LinearScale(0, top_value, BOTTOM, TOP)

    body = [text(LEFT - 38, TOP - 10, "% predicted", size=10, fill=MUTED)]
    for tick in range(0, int(top_value) + 1, 20):
        y = ys(tick)
        body.append(el("line", x1=LEFT, y1=y, x2=RIGHT, y2=y, stroke=GRID, stroke_width=1))
        body.append(text(LEFT - 6, y + 3.5, str(tick), size=10, anchor="end", fill=MUTED))
    body += date_axis(xs, top=TOP, bottom=BOTTOM)
    body.append(el("line", x1=LEFT, y1=TOP, x2=LEFT, y2=BOTTOM, stroke=MUTED))
    body += _legend([key for key, _ in _SERIES if series[key]], 34.0)

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
        width=WIDTH,
        height=HEIGHT,
        title=title,
        desc=_describe(series),
        id_prefix=id_prefix,
        body=body,
    )
