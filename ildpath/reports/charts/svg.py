"""A tiny SVG element builder: escaped text, fixed number formatting, the accessible root.

The charts are embedded in self-contained HTML reports and rendered to PDF by WeasyPrint, so
every chart is plain SVG 1.1 with presentation attributes only. The output must be the same
string for the same input (reports are compared and archived), so numbers are always written
with the same fixed formatting and attributes in the order given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from xml.sax.saxutils import escape, quoteattr

from .palette import INK, MUTED

__all__ = [
    "FONT",
    "SCREEN_WIDTH",
    "SVG_NS",
    "el",
    "empty_chart",
    "esc",
    "fit_text",
    "fmt_value",
    "num",
    "svg_document",
    "text",
    "text_width",
]

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "sans-serif"
SCREEN_WIDTH = 1000.0
"""Chart units across for a fluid chart on the dashboard: at 1366 px the content is ~1200 px
wide, so text of 11 units shows at ~13 px (a 640-unit chart would blow it up to ~21 px)."""

# Characters XML 1.0 forbids even when escaped; a stray one in a free-text label must not
# make the whole report unparseable.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def esc(value: str) -> str:
    """Text content, escaped (and stripped of characters XML cannot carry)."""
    return escape(_INVALID_XML.sub("", value))


def num(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros: stable across runs."""
    out = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if out in ("-0", "") else out


def fmt_value(value: float) -> str:
    """A data value for people to read: one decimal at most, no trailing ".0" (75.0 -> "75")."""
    out = f"{value:.1f}"
    if out.endswith(".0"):
        out = out[:-2]
    return "0" if out == "-0" else out


def el(tag: str, *children: str, **attrs: object) -> str:
    """One element. ``children`` are markup already built; ``attrs`` become attributes in the
    order given (``stroke_width`` -> ``stroke-width``); ``None`` values are left out."""
    parts = [tag]
    for name, value in attrs.items():
        if value is None:
            continue
        shown = num(value) if isinstance(value, float) else str(value)
        parts.append(f"{name.replace('_', '-')}={quoteattr(_INVALID_XML.sub('', shown))}")
    head = " ".join(parts)
    if not children:
        return f"<{head}/>"
    return f"<{head}>{''.join(children)}</{tag}>"


def text_width(value: str, size: float) -> float:
    """Estimated rendered width of ``value`` in a sans-serif font, to decide what fits.

    Deliberately generous (0.6 em per character) so a label judged to fit really does.
    """
    return len(value) * size * 0.6


def fit_text(value: str, max_width: float, size: float) -> str:
    """``value`` cut with an ellipsis so it fits ``max_width`` (the full text goes in a tooltip)."""
    if text_width(value, size) <= max_width:
        return value
    keep = int(max_width / (size * 0.6)) - 1
    return value[: max(keep, 0)].rstrip() + "…" if keep > 0 else ""


def text(
    x: float,
    y: float,
    content: str,
    *,
    size: float = 11,
    anchor: str = "start",
    fill: str = INK,
    bold: bool = False,
    tooltip: str | None = None,
) -> str:
    """A text element; ``y`` is the baseline. A ``tooltip`` becomes a nested <title>."""
    children = [esc(content)] if tooltip is None else [el("title", esc(tooltip)), esc(content)]
    return el(
        "text",
        *children,
        x=float(x),
        y=float(y),
        font_family=FONT,
        font_size=float(size),
        font_weight="bold" if bold else None,
        text_anchor=None if anchor == "start" else anchor,
        fill=fill,
    )


def safe_id(prefix: str) -> str:
    """``prefix`` made into a valid XML id start, so aria references always resolve."""
    clean = _ID_UNSAFE.sub("-", prefix) or "chart"
    return clean if re.match(r"[A-Za-z_]", clean) else f"c-{clean}"


def svg_document(
    *,
    width: float,
    height: float,
    title: str,
    desc: str,
    id_prefix: str,
    body: Iterable[str],
    fluid: bool = False,
) -> str:
    """The root <svg>: sized, with a visible heading and the <title>/<desc> that screen
    readers announce (ids prefixed so several charts can share one page).

    A ``fluid`` chart fills the width of its container (``width="100%"``, the height following
    from the viewBox), so a chart read closely, like lung function, is as large as the page or
    screen allows instead of a fixed ``width`` in pixels; its text grows with it.
    """
    pid = safe_id(id_prefix)
    return el(
        "svg",
        el("title", esc(title), id=f"{pid}-title"),
        el("desc", esc(desc), id=f"{pid}-desc"),
        el("rect", x=0, y=0, width=float(width), height=float(height), fill="#ffffff"),
        text(8, 18, title, size=13, bold=True),
        *body,
        xmlns=SVG_NS,
        width="100%" if fluid else float(width),
        height=None if fluid else float(height),
        viewBox=f"0 0 {num(width)} {num(height)}",
        role="img",
        aria_labelledby=f"{pid}-title",
        aria_describedby=f"{pid}-desc",
    )


def empty_chart(*, title: str, message: str, id_prefix: str, width: float = 640) -> str:
    """A small chart that says there is nothing to show, so a report never has a blank hole."""
    return svg_document(
        width=width,
        height=56,
        title=title,
        desc=message,
        id_prefix=id_prefix,
        body=[text(8, 42, message, size=12, fill=MUTED)],
    )
