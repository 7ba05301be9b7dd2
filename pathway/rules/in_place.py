"""Recommendations already in place (CLINICAL_SPEC §4, revision 2).

A recommendation the team has already carried out stays in its rank but is no longer a
proposal: listing plasma exchange and a JAK inhibitor as "to do" after both were given trains
people to ignore the list.
"""

from collections.abc import Collection
from datetime import date

from ..catalogue import PROCEDURES, agent_class
from ..chart import Chart

__all__ = ["in_place_since"]


def _part_active(part: str, active: Collection[str]) -> bool:
    """An agent part is met by that agent; a class part by any agent of the class."""
    return part in active or any(agent_class(agent).value == part for agent in active)


def _agents_since(chart: Chart, parts: list[str], day: date) -> date | None:
    """The first day of the unbroken run, up to ``day``, on which every agent part is active."""
    exposure = chart.exposure

    def held(on: date) -> bool:
        active = exposure.active_on(on)
        return all(_part_active(part, active) for part in parts)

    since: date | None = None
    for change in reversed([d for d in exposure.change_days if d <= day]):
        if not held(change):
            break
        since = change
    return since


def _procedures_since(chart: Chart, parts: list[str], day: date) -> date | None:
    """The day by which every procedure part had been done since the state in force on
    ``day`` was entered (enrolment for the first state)."""
    entered = chart.course.until(day)
    since_entry = entered[-1].on if entered else chart.record.enrolled_on
    firsts = []
    for part in parts:
        done = [
            p.on for p in chart.record.procedures if p.kind == part and since_entry <= p.on <= day
        ]
        if not done:
            return None
        firsts.append(min(done))
    return max(firsts)


def in_place_since(chart: Chart, code: str, day: date) -> date | None:
    """D when the recommendation ``code`` is in place on ``day`` (§4): its agents all active
    since D and its procedures done since the state was entered; None when it is not."""
    parts = chart.definition.in_place.get(code, ())
    agents = [p for p in parts if p not in PROCEDURES]
    procedures = [p for p in parts if p in PROCEDURES]
    if not parts:
        return None
    found: list[date] = []
    if agents:
        agents_on = _agents_since(chart, agents, day)
        if agents_on is None:
            return None
        found.append(agents_on)
    if procedures:
        done_on = _procedures_since(chart, procedures, day)
        if done_on is None:
            return None
        found.append(done_on)
    return max(found)
