"""A window: days a rule counts from a date of the record to the day it is asked about.

Most of what the rules say changes only on the dates of the record's entries and of the tasks
the ledgers work out. A rule that compares the day asked with a date of the record moved by a
span of days changes its answer on a day that no entry and no task names: the triple-therapy
deadline (CLINICAL_SPEC §7, F + 3 days), the high risk that lasts 365 days after detected
progression (§8), the influenza task opened again 365 days after each vaccination (§8). Such a
rule declares its window beside itself ("Rules declare their windows", ARCHITECTURE), so that
whatever skips the patients whose judgement cannot change (`horizon.quiet_until`) knows the
days to wake for without a list of its own to keep in step.

A module whose rules do date arithmetic declares its `WINDOWS` even when there are none, and
says why. A rule that counts a task's dates from the day asked declares itself in the module's
`TASK_DATES` instead: the evaluation lists every task, and the horizon reads their dates there.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from .definition import PathwayDefinition
from .record import PatientRecord

__all__ = ["Rule", "Spans", "Window"]

Rule = Callable[..., object]
"""A rule: a function (or method) of the pathway."""

Spans = Callable[[PatientRecord, date, PathwayDefinition], Iterator[tuple[date, int]]]
"""``(record, day asked, definition) -> (start, days) ...``: every window the record may hold
when asked about that day."""


@dataclass(frozen=True)
class Window:
    """Days a rule reckons from the day asked, declared in the rule's own module."""

    name: str
    """What the clinic calls it, e.g. "triple-therapy deadline"."""
    section: str
    """The CLINICAL_SPEC section that sets it, e.g. "§7"."""
    rule: Rule
    """The function whose code compares the day asked with the window."""
    spans: Spans
    """(start, days) pairs: the rule's answer may change on ``start + days`` or the day after.
    More pairs than the record needs only wake a patient for nothing; a missing pair lets the
    daily run skip a patient whose judgement changed."""
