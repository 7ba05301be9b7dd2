"""Serum markers over time: ferritin and KL-6, followed closely in anti-MDA5 disease and charted
beside FVC/DLCO (CLINICAL_SPEC §11).

The two are in different units (ng/mL, U/mL) and spans, so each has its own panel and axis;
the panels share the date axis, so a rise in one is read against the other on the same day.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .palette import GRID, MUTED, SERIES, WHITE
from .scales import (
    TICK_SIZE,
    DateScale,
    LinearScale,
    date_axis,
    month_floor,
    next_month,
    value_axis,
)
from .svg import el, empty_chart, esc, num, svg_document, text

__all__ = ["MARKERS", "MarkerPoint", "markers_chart"]

MARKERS = (("ferritin", "Ferritin", "ng/mL"), ("kl6", "KL-6", "U/mL"))
"""The markers charted, in panel order: (analyte, name, unit)."""

WIDTH = 640.0
"""The printed width (A4 portrait's content width); the dashboard asks for a wider one."""
LEFT, MARGIN, TOP = 64.0, 16.0, 50.0
PANEL, GAP = 110.0, 48.0
_COLOURS = {"ferritin": SERIES["dlco"], "kl6": SERIES["fvc"]}


@dataclass(frozen=True)
class MarkerPoint:
    on: date
    analyte: str
    """``ferritin`` or ``kl6`` (other analytes are not drawn)."""
    value: float


def _tick(value: float) -> str:
    return f"{value:,.0f}" if value >= 1 or value == 0 else f"{value:g}"


def _panel(
    key: str, name: str, unit: str, values: list[tuple[date, float]], xs: DateScale, top: float
) -> list[str]:
    """One marker's panel. Its axis starts at 0 (a level is read against none, and a halving
    should look like one) and ends at a round number above the highest result."""
    bottom = top + PANEL
    axis = value_axis((v for _, v in values), ticks=4, from_zero=True, floor=0.0)
    ys = LinearScale(axis.lo, axis.hi, bottom, top)
    body = [text(LEFT, top - 8, f"{name}, {unit}", size=TICK_SIZE, bold=True)]
    for tick in axis.ticks:
        y = ys(tick)
        body.append(el("line", x1=LEFT, y1=y, x2=xs.right, y2=y, stroke=GRID, stroke_width=1))
        label = _tick(tick)
        body.append(text(LEFT - 6, y + 4, label, size=TICK_SIZE, anchor="end", fill=MUTED))
    body += date_axis(xs, top=top, bottom=bottom)
    body.append(el("line", x1=LEFT, y1=top, x2=LEFT, y2=bottom, stroke=MUTED))
    colour = _COLOURS[key]
    coords = " ".join(f"{num(xs(d))},{num(ys(v))}" for d, v in values)
    line = el("polyline", points=coords, fill="none", stroke=colour, stroke_width=2)
    markers = [
        el(
            "circle",
            el("title", esc(f"{d.isoformat()}: {name} {v:g} {unit}")),
            cx=xs(d),
            cy=ys(v),
            r=4.5,
            fill=colour,
            stroke=WHITE,
            stroke_width=1,
        )
        for d, v in values
    ]
    return [*body, el("g", line, *markers)]


def _describe(series: dict[str, list[tuple[date, float]]]) -> str:
    sentences = []
    for key, name, unit in MARKERS:
        values = series[key]
        if not values:
            sentences.append(f"No {name} recorded.")
            continue
        (first_on, first), (last_on, last) = values[0], values[-1]
        sentences.append(
            f"{name}: {len(values)} result{'' if len(values) == 1 else 's'}, from {first:g} "
            f"{unit} on {first_on.isoformat()} to {last:g} {unit} on {last_on.isoformat()}, "
            f"highest {max(v for _, v in values):g} {unit}."
        )
    return " ".join(sentences)


def markers_chart(
    points: Sequence[MarkerPoint], *, title: str, id_prefix: str = "markers", width: float = WIDTH
) -> str:
    """Ferritin and KL-6 each in its own panel over the same dates; each marker's tooltip gives
    the date, the value and its unit. A marker with no result is left out, not drawn empty.
    Like the lung function chart it fills the width it is shown in; ``width`` sets its
    proportions and how large the text is against them."""
    ordered = sorted((p for p in points if math.isfinite(p.value)), key=lambda p: p.on)
    series = {key: [(p.on, p.value) for p in ordered if p.analyte == key] for key, _, _ in MARKERS}
    drawn = [(key, name, unit) for key, name, unit in MARKERS if series[key]]
    if not drawn:
        return empty_chart(title=title, message="No ferritin or KL-6 recorded", id_prefix=id_prefix)
    days = [d for values in series.values() for d, _ in values]
    first, latest = month_floor(min(days)), max(days)
    last = latest if latest.day == 1 and latest > first else next_month(latest)
    xs = DateScale(first, last, LEFT, width - MARGIN)
    body: list[str] = []
    top = TOP
    for key, name, unit in drawn:
        body += _panel(key, name, unit, series[key], xs, top)
        top += PANEL + GAP
    return svg_document(
        width=width,
        height=top - GAP + 28,
        title=title,
        desc=_describe(series),
        id_prefix=id_prefix,
        body=body,
        fluid=True,
    )
