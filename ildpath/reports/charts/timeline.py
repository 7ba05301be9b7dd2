"""The patient's course as a timeline: pathway states and treatments side by side, so a reader
sees what was given in which phase and for how long."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from pathway.labels import days

from .palette import INK, MUTED, STATE_COLOURS, THERAPY_COLOURS, text_on, tone_colours
from .scales import DateScale, date_axis
from .svg import el, empty_chart, esc, fit_text, svg_document, text, text_width

__all__ = ["STATE_COLOURS", "THERAPY_COLOURS", "Band", "timeline_chart"]

WIDTH = 640.0
TOP = 34.0
ROW, BAR = 26.0, 18.0
RIGHT = WIDTH - 16
MIN_BAR = 3.0
FONT_SIZE = 10.0


@dataclass(frozen=True)
class Band:
    row: str  # the row label, e.g. "State" or an agent name "tacrolimus"
    label: str  # text shown in/near the bar, e.g. "induction" or "iv 500 mg/day"
    start: date
    end: date | None  # None: still going at the chart's end
    tone: str  # a state name, or "therapy", "supportive", "avoid"


def describe_band(band: Band) -> str:
    """What the bar's tooltip says: what, from when to when, and for how many days."""
    what = band.row if not band.label or band.label == band.row else f"{band.row}, {band.label}"
    if band.end is None:
        return f"{what}: {band.start.isoformat()} → ongoing"
    span = days((band.end - band.start).days)
    return f"{what}: {band.start.isoformat()} → {band.end.isoformat()} ({span})"


def _label(band: Band, x1: float, x2: float, y: float, room: tuple[float, float]) -> str:
    """The label inside the bar if it fits, else in the free space after it, else before it,
    else shortened inside. ``room`` is the free span of the row around the bar."""
    size, need = FONT_SIZE, text_width(band.label, FONT_SIZE)
    ink = text_on(tone_colours(band.tone)[0])
    if need + 10 <= x2 - x1:
        return text(x1 + 5, y, band.label, size=size, fill=ink)
    if x2 + 4 + need <= room[1]:
        return text(x2 + 4, y, band.label, size=size, fill=INK)
    if x1 - 4 - need >= room[0]:
        return text(x1 - 4, y, band.label, size=size, anchor="end", fill=INK)
    return text(x1 + 5, y, fit_text(band.label, x2 - x1 - 10, size), size=size, fill=ink)


def _spans(bands: list[Band], scale: DateScale) -> list[tuple[float, float]]:
    """Each bar's pixel extent, clamped to the chart and at least ``MIN_BAR`` wide."""
    spans = []
    for band in bands:
        x1 = scale(scale.clamp(band.start))
        x2 = scale(scale.clamp(band.end)) if band.end is not None else scale.right
        if x2 - x1 < MIN_BAR:
            x1 = min(x1, scale.right - MIN_BAR)
            x2 = x1 + MIN_BAR
        spans.append((x1, x2))
    return spans


def _room(
    i: int, bands: list[Band], spans: list[tuple[float, float]], left: float
) -> tuple[float, float]:
    """Free space either side of bar ``i`` up to its neighbours in the same row."""
    x1, x2 = spans[i]
    same = [spans[j] for j, b in enumerate(bands) if j != i and b.row == bands[i].row]
    before = max([left] + [b2 for b1, b2 in same if b2 <= x1 + 0.5])
    after = min([WIDTH - 4] + [b1 for b1, b2 in same if b1 >= x2 - 0.5])
    return before, after


def _legend(tones: set[str], y: float, left: float) -> list[str]:
    parts, x = [], left
    for tone, (fill, outline) in THERAPY_COLOURS.items():
        if tone not in tones:
            continue
        parts.append(el("rect", x=x, y=y - 9, width=18.0, height=10.0, fill=fill, stroke=outline))
        parts.append(text(x + 24, y, tone, size=10, fill=MUTED))
        x += 40 + text_width(tone, 10)
    return parts


def timeline_chart(
    bands: Sequence[Band], *, start: date, end: date, title: str, id_prefix: str = "timeline"
) -> str:
    """One row per ``row`` (first-appearance order), bars clamped to ``[start, end]``; bands
    wholly outside the period are left out.

    States have fixed colours (``STATE_COLOURS``); treatments are light tints with an outline
    (``THERAPY_COLOURS``). Each bar's tooltip gives its exact dates and length in days.
    """
    shown = [b for b in bands if b.start <= end and (b.end is None or b.end >= start)]
    if not shown or end < start:
        return empty_chart(title=title, message="Nothing to show", id_prefix=id_prefix)

    rows = list(dict.fromkeys(b.row for b in shown))
    label_col = min(max(text_width(r, 11) for r in rows) + 20, 170.0)
    left = max(label_col, 60.0)
    scale = DateScale(start, end, left, RIGHT)
    bottom = TOP + ROW * len(rows)
    tones = {b.tone for b in shown} & set(THERAPY_COLOURS)
    height = bottom + (52 if tones else 30)

    body = []
    for i, row in enumerate(rows):
        y = TOP + ROW * i
        if i % 2 == 0:
            body.append(el("rect", x=4.0, y=y, width=RIGHT - 4, height=ROW, fill="#f4f4f4"))
        label = fit_text(row, left - 16, 11)
        tip = row if label != row else None
        body.append(text(left - 8, y + ROW / 2 + 4, label, size=11, anchor="end", tooltip=tip))
    body += date_axis(scale, top=TOP, bottom=bottom)

    spans = _spans(shown, scale)
    labels = []
    for i, (band, (x1, x2)) in enumerate(zip(shown, spans, strict=True)):
        y = TOP + ROW * rows.index(band.row) + (ROW - BAR) / 2
        fill, outline = tone_colours(band.tone)
        tip = el("title", esc(describe_band(band)))
        body.append(
            el("rect", tip, x=x1, y=y, width=x2 - x1, height=BAR, rx=2.0, fill=fill, stroke=outline)
        )
        labels.append(_label(band, x1, x2, y + BAR / 2 + 3.5, _room(i, shown, spans, left)))
    body += labels  # after every bar, so no bar covers a label placed beside its own
    body += _legend(tones, height - 10, left)

    desc = f"Timeline from {start.isoformat()} to {end.isoformat()}. " + "; ".join(
        describe_band(b) for b in shown
    )
    return svg_document(
        width=WIDTH, height=height, title=title, desc=desc, id_prefix=id_prefix, body=body
    )
