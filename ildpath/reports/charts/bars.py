"""Horizontal bars for counts and shares (patients by state, share with a task done on time)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from .palette import BAR_FILL, TRACK
from .scales import LinearScale
from .svg import el, empty_chart, esc, fit_text, fmt_value, svg_document, text, text_width

__all__ = ["bar_chart"]

WIDTH = 640.0
TOP, ROW, BAR = 32.0, 24.0, 15.0
SIZE = 11.0


def bar_chart(
    rows: Sequence[tuple[str, float]],
    *,
    title: str,
    id_prefix: str = "bars",
    unit: str = "",
    max_value: float | None = None,
) -> str:
    """Label on the left, bar, value on its right ("75%"): values are read off the numbers,
    lengths give the comparison. With ``max_value`` (100 for shares) a light track shows the
    full scale, so 40% looks like 40% of something rather than the longest bar.
    """
    if not rows:
        return empty_chart(title=title, message="No data to show", id_prefix=id_prefix)

    values = [v if math.isfinite(v) else 0.0 for _, v in rows]
    shown = [f"{fmt_value(v)}{unit}" for v in values]
    top = max_value if max_value is not None and max_value > 0 else max(max(values), 0.0)
    label_w = min(max(text_width(label, SIZE) for label, _ in rows) + 16, 200.0)
    value_w = max(text_width(s, SIZE) for s in shown) + 12
    scale = LinearScale(0, top or 1.0, label_w, WIDTH - 8 - value_w)
    height = TOP + ROW * len(rows) + 8

    body = []
    for i, ((label, _), value, value_text) in enumerate(zip(rows, values, shown, strict=True)):
        y = TOP + ROW * i
        base = y + ROW / 2 + 4
        short = fit_text(label, label_w - 16, SIZE)
        tip = label if short != label else None
        body.append(text(label_w - 8, base, short, size=SIZE, anchor="end", tooltip=tip))
        bar_y = y + (ROW - BAR) / 2
        if max_value is not None:
            body.append(
                el("rect", x=label_w, y=bar_y, width=scale(top) - label_w, height=BAR, fill=TRACK)
            )
        end = scale(min(max(value, 0.0), top))
        tooltip = el("title", esc(f"{label}: {value_text}"))
        body.append(
            el("rect", tooltip, x=label_w, y=bar_y, width=end - label_w, height=BAR, fill=BAR_FILL)
        )
        value_x = (scale(top) if max_value is not None else end) + 6
        body.append(text(value_x, base, value_text, size=SIZE))
    body.append(el("line", x1=label_w, y1=TOP - 2, x2=label_w, y2=height - 6, stroke="#737373"))

    desc = "; ".join(f"{label}: {s}" for (label, _), s in zip(rows, shown, strict=True))
    return svg_document(
        width=WIDTH, height=height, title=title, desc=desc + ".", id_prefix=id_prefix, body=body
    )
