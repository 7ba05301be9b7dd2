"""Movement between pathway states over a period, as an arc diagram: where patients went, how
many, and whether they moved on along the pathway or fell back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .arcs import Arc, draw_arc, endpoints, rise
from .palette import INK, MUTED, text_on, tone_colours
from .svg import el, esc, svg_document, text, text_width

__all__ = ["flow_chart"]

SIZE = 10.5  # box label font size
LINE = 13.0  # box label line height
GAP, MARGIN, PAD = 16.0, 12.0, 12.0
TOP = 30.0  # below the heading


def _lines(state: str, width: float) -> list[str]:
    """The state name in words (``transplant_referral`` -> "transplant" / "referral")."""
    lines: list[str] = []
    for word in state.replace("_", " ").split() or [state]:
        if lines and text_width(f"{lines[-1]} {word}", SIZE) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _box(
    state: str, lines: list[str], count: int | None, x: float, y: float, w: float, h: float
) -> str:
    """A state box in its state colour: the name in bold, then "n = <count>" when given,
    centred vertically so boxes with one- and two-line names line up."""
    fill = tone_colours(state)[0]
    ink = text_on(fill)
    tip = state if count is None else f"{state}: n = {count}"
    rows = lines + ([f"n = {count}"] if count is not None else [])
    outline = {"stroke": INK, "stroke_width": 0.5}  # keeps pale boxes distinct from the page
    tooltip = el("title", esc(tip))
    parts = [el("rect", tooltip, x=x, y=y, width=w, height=h, rx=4.0, fill=fill, **outline)]
    first = y + (h - LINE * len(rows)) / 2 + LINE - 3
    for j, line in enumerate(rows):
        bold = j < len(lines)
        parts.append(
            text(x + w / 2, first + LINE * j, line, size=SIZE, anchor="middle", fill=ink, bold=bold)
        )
    return el("g", *parts)


def flow_chart(
    states: Sequence[str],
    flows: Mapping[tuple[str, str], int],
    *,
    title: str,
    id_prefix: str = "flow",
    counts: Mapping[str, int] | None = None,
) -> str:
    """States left to right in pathway order; each (from, to) with a positive count is an arc
    whose width grows with the count. ``counts`` (patients now in each state) appear in the
    boxes as "n = …". Flows naming a state not in ``states`` are an error; self-loops cannot
    be drawn and are ignored.
    """
    index = {s: i for i, s in enumerate(states)}
    unknown = sorted({s for pair in flows for s in pair if s not in index})
    if unknown:
        raise ValueError(f"flows between states not in the chart: {', '.join(unknown)}")
    arcs = [Arc(index[a], index[b], n) for (a, b), n in flows.items() if n > 0 and a != b]
    arcs.sort(key=lambda a: (a.source, a.target))
    biggest = max((a.count for a in arcs), default=1)

    wrap = max(
        [text_width("monitoring", SIZE)]
        + [text_width(w, SIZE) for s in states for w in s.replace("_", " ").split()]
    )
    labels = [_lines(s, wrap) for s in states]
    box_w = wrap + 2 * PAD
    if counts is not None:
        box_w = max(box_w, text_width(f"n = {max(counts.values(), default=0)}", SIZE) + 2 * PAD)
    rows = max((len(lines) for lines in labels), default=1) + (1 if counts is not None else 0)
    box_h = rows * LINE + 12
    above = max((0.75 * rise(a) for a in arcs if a.forward), default=0.0)
    below = max((0.75 * rise(a) for a in arcs if not a.forward), default=0.0)
    box_top = TOP + above + (14 if above else 6)
    box_bottom = box_top + box_h
    note = (
        "Arcs above: moves forward along the pathway; below: moves back. "
        "Width and number: patients."
        if arcs
        else "No transitions in this period"
    )
    boxes_w = len(states) * box_w + max(len(states) - 1, 0) * GAP
    width = max(boxes_w, text_width(note, 10), text_width(title, 13)) + 2 * MARGIN
    offset = (width - boxes_w) / 2
    height = box_bottom + below + (14 if below else 6) + 24

    def left(i: int) -> float:
        return offset + i * (box_w + GAP)

    body = []
    for i, state in enumerate(states):
        count = None if counts is None else counts.get(state, 0)
        body.append(_box(state, labels[i], count, left(i), box_top, box_w, box_h))

    spots = endpoints(arcs)
    inner = box_w - 2 * 10
    for arc_index, arc in enumerate(arcs):
        x1 = left(arc.source) + 10 + inner * spots[(arc_index, arc.source)]
        x2 = left(arc.target) + 10 + inner * spots[(arc_index, arc.target)]
        edge = box_top if arc.forward else box_bottom
        stroke = 1.5 + 6 * arc.count / biggest
        body.append(draw_arc(arc, x1, x2, edge, stroke, states))

    body.append(text(MARGIN, height - 10, note, size=10 if arcs else 12, fill=MUTED))

    moves = "; ".join(f"{states[a.source]} → {states[a.target]}: {a.count}" for a in arcs)
    desc = f"States in pathway order: {', '.join(states)}. " + (
        f"Transitions: {moves}." if arcs else "No transitions in this period."
    )
    if counts is not None:
        desc += " Patients now: " + ", ".join(f"{s} {counts.get(s, 0)}" for s in states) + "."
    return svg_document(
        width=width, height=height, title=title, desc=desc, id_prefix=id_prefix, body=body
    )
