"""Arc geometry for the flow chart: one curve per transition, spread along the box edges so
arcs nest instead of crossing, with the arrowhead drawn as a plain path (WeasyPrint's support
for <marker> is uncertain)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .palette import BACKWARD, FORWARD, WHITE
from .svg import el, esc, fmt_value, num, text, text_width

__all__ = ["Arc", "draw_arc", "endpoints", "rise"]


@dataclass(frozen=True)
class Arc:
    source: int
    target: int
    count: int

    @property
    def forward(self) -> bool:
        return self.target > self.source


def rise(arc: Arc) -> float:
    """Control-point height: longer jumps arc higher, so nested arcs never coincide."""
    return 20.0 + 26.0 * abs(arc.target - arc.source)


def endpoints(arcs: list[Arc]) -> dict[tuple[int, int], float]:
    """Where each arc meets each box edge, as a fraction of the box width.

    Arcs sharing an edge are spread out, ordered so they nest instead of crossing: arcs
    towards the left on the left, the longest ones nearest the middle of the edge.
    """
    sides: dict[tuple[int, bool], list[tuple[tuple[int, int], int]]] = {}
    for arc_index, arc in enumerate(arcs):
        for box, other in ((arc.source, arc.target), (arc.target, arc.source)):
            sides.setdefault((box, arc.forward), []).append(((arc_index, box), other))
    spots: dict[tuple[int, int], float] = {}
    for (box, _), ends in sides.items():
        ends.sort(key=lambda e: (e[1] > box, abs(e[1] - box) * (1 if e[1] < box else -1)))
        for i, (key, _other) in enumerate(ends):
            spots[key] = (i + 0.5) / len(ends)
    return spots


def draw_arc(
    arc: Arc, x1: float, x2: float, edge: float, width: float, states: Sequence[str]
) -> str:
    """One cubic curve from box edge to box edge, an arrowhead at the target, and the count
    on a white tag at the apex. Forward arcs rise above the boxes, backward ones hang below."""
    up = -1.0 if arc.forward else 1.0  # direction away from the boxes
    colour = FORWARD if arc.forward else BACKWARD
    head_len, head_half = 6.0 + width, 3.5 + width * 0.6
    control = edge + up * rise(arc)
    end = edge + up * head_len * 0.85
    curve = el(
        "path",
        el("title", esc(f"{states[arc.source]} → {states[arc.target]}: {arc.count}")),
        d=f"M {num(x1)} {num(edge)} C {num(x1)} {num(control)} {num(x2)} {num(control)} "
        f"{num(x2)} {num(end)}",
        fill="none",
        stroke=colour,
        stroke_width=width,
    )
    base = edge + up * head_len
    head = el(
        "path",
        d=f"M {num(x2)} {num(edge)} L {num(x2 - head_half)} {num(base)} "
        f"L {num(x2 + head_half)} {num(base)} Z",
        fill=colour,
    )
    apex = 0.125 * edge + 0.75 * control + 0.125 * end
    label = fmt_value(arc.count)
    tag_w = text_width(label, 11) + 10
    mid = (x1 + x2) / 2
    tag = el(
        "rect",
        x=mid - tag_w / 2,
        y=apex - 8,
        width=tag_w,
        height=16.0,
        rx=3.0,
        fill=WHITE,
        stroke=colour,
        stroke_width=1,
    )
    return el(
        "g", curve, head, tag, text(mid, apex + 4, label, size=11, anchor="middle", bold=True)
    )
