"""The order an import enters a bundle's events in, and which become one entry.

Each patient's events in clinical-date order, events of the same day in bundle order and a
medication's start before its stop, so the engine sees the course as a person typing it in
would enter it. The PFT measures of one patient and day (FVC %, DLCO %, FVC in litres, each
usually its own Observation) become one PFT, as one ``ildpath record pft`` entry.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .events import Event
from .ledger import Source

__all__ = ["Write", "merged", "plan"]


@dataclass
class Write:
    """One use-case call: a patient's event and the resource parts it comes from."""

    patient: str
    event: Event
    sources: list[tuple[Source, Event]] = field(default_factory=list)


def merged(first: Event, events: list[Event]) -> Event:
    """The PFT of one day from its measures (only those not imported before)."""
    values: dict[str, Any] = {}
    for event in events:
        values.update(event.values)
    return Event(first.on, first.action, first.kind, values, first.part)


def plan(writes: list[Write]) -> list[Write]:
    """Each patient's writes in clinical order, a day's PFT measures as one PFT."""
    writes = sorted(
        writes,
        key=lambda w: (w.patient, w.event.on, w.sources[0][0][0].index, w.event.part == "stop"),
    )
    planned: list[Write] = []
    pfts: dict[tuple[str, date], Write] = {}
    for write in writes:
        event = write.event
        if event.action == "observation" and event.kind == "pft":
            same_day = pfts.get((write.patient, event.on))
            if same_day is not None and not set(same_day.event.values) & set(event.values):
                same_day.sources += write.sources
                same_day.event = merged(same_day.event, [same_day.event, event])
                continue
            pfts[(write.patient, event.on)] = write
        planned.append(write)
    return planned
