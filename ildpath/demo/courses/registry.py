"""Archetypes: named clinical courses the demo cohort is drawn from."""

from collections.abc import Callable
from dataclasses import dataclass

from ..course import Course

__all__ = ["Archetype", "archetype", "registered"]

MAX_SPAN_DAYS = 455
"""About 15 months: the longest course and the earliest enrolment before the demo's end."""


@dataclass(frozen=True)
class Archetype:
    """``span``: days from enrolment to the demo's end (the course fits in its lower bound);
    ``weight``: how often it is drawn beyond the first patient of each archetype."""

    name: str
    summary: str
    span: tuple[int, int]
    weight: int
    plan: Callable[[Course], None]


_REGISTERED: list[Archetype] = []


def archetype(
    name: str, summary: str, *, span: tuple[int, int], weight: int
) -> Callable[[Callable[[Course], None]], Callable[[Course], None]]:
    if not 0 <= span[0] <= span[1] <= MAX_SPAN_DAYS:
        raise ValueError(f"{name}: span {span} outside 0-{MAX_SPAN_DAYS} days")

    def register(plan: Callable[[Course], None]) -> Callable[[Course], None]:
        _REGISTERED.append(Archetype(name, summary, span, weight, plan))
        return plan

    return register


def registered() -> tuple[Archetype, ...]:
    return tuple(_REGISTERED)
