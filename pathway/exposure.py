"""Which agents are active on a clinical day, at which dose (§9 "judged per clinical day").

An agent is active from its start until a stop for it; the engine never infers a stop. Each day
is judged after all of that day's events: started on D is active on D, stopped on D is not. A
start of an active agent changes its dose from that date. Courses (start to stop) are the unit
the safety rules judge.
"""

from bisect import bisect_right
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date

from .catalogue import IMMUNOSUPPRESSIVE_CLASSES, PJP_PROPHYLAXIS, AgentClass, agent_class
from .definition import PathwayDefinition
from .doses import NO_BODY, Dose, body_on, dose_of
from .memo import remembered
from .record import PatientRecord, TherapyEvent

__all__ = ["ActiveAgent", "Course", "Exposure"]


@dataclass(frozen=True)
class ActiveAgent:
    """An agent active on a day, with the dose of its latest start and that dose in mg per
    administration (the weight and height in force on the start's date, §11 Doses)."""

    agent: str
    route: str | None
    dose: Dose | None = None
    mg: float | None = None
    daily_mg: float | None = None
    """A glucocorticoid's daily equivalent in mg (every 2 days: half); None otherwise."""

    @classmethod
    def started(cls, event: TherapyEvent, record: PatientRecord) -> "ActiveAgent":
        dose = dose_of(event)
        if dose is None:
            return cls(event.agent, event.route)
        body = body_on(record, event.on) if dose.needs_body else NO_BODY
        return cls(event.agent, event.route, dose, dose.mg(body), dose.daily_mg(body))


@dataclass(frozen=True)
class Course:
    """One uninterrupted course of an agent, from the start event that began it."""

    agent: str
    start: TherapyEvent
    stopped_on: date | None

    def active_on(self, day: date) -> bool:
        return self.start.on <= day and (self.stopped_on is None or day < self.stopped_on)


class Exposure:
    """End-of-day snapshots of active agents, built once per record."""

    def __init__(self, record: PatientRecord, definition: PathwayDefinition) -> None:
        self._definition = definition
        order = {t.id: i for i, t in enumerate(record.therapies)}
        events = sorted(record.therapies, key=lambda e: (e.on, order[e.id]))
        self._days: list[date] = []
        self._snapshots: list[dict[str, ActiveAgent]] = []
        self._judged: dict[Hashable, bool] = {}
        self.courses: list[Course] = []
        self.starts: list[TherapyEvent] = []
        active: dict[str, ActiveAgent] = {}
        open_courses: dict[str, TherapyEvent] = {}
        for event in events:
            if event.action == "stop":
                active.pop(event.agent, None)
                begun = open_courses.pop(event.agent, None)
                if begun is not None:
                    self.courses.append(Course(event.agent, begun, event.on))
            else:
                if event.agent not in active:
                    open_courses[event.agent] = event
                    self.starts.append(event)
                active[event.agent] = ActiveAgent.started(event, record)
            if self._days and self._days[-1] == event.on:
                self._snapshots[-1] = dict(active)
            else:
                self._days.append(event.on)
                self._snapshots.append(dict(active))
        self.courses.extend(Course(a, e, None) for a, e in open_courses.items())
        self.courses.sort(key=lambda c: (c.start.on, order[c.start.id]))

    @property
    def change_days(self) -> list[date]:
        return list(self._days)

    def active_on(self, day: date) -> dict[str, ActiveAgent]:
        index = bisect_right(self._days, day) - 1
        return self._snapshots[index] if index >= 0 else {}

    def _per_snapshot(self, name: str, day: date, judge: Callable[[date], bool]) -> bool:
        """``judge(day)``, worked out once per snapshot: the agents only change on the days
        of therapy events, and the rules ask about hundreds of days between them."""
        snapshot = bisect_right(self._days, day)
        return remembered(self._judged, (name, snapshot), lambda: judge(day))

    def classes_on(self, day: date) -> set[AgentClass]:
        return {agent_class(a) for a in self.active_on(day)}

    def immunosuppressed_on(self, day: date) -> bool:
        """Any immunosuppressive agent (§3 classes) active on ``day``."""
        return bool(self.classes_on(day) & IMMUNOSUPPRESSIVE_CLASSES)

    def prednisone_equivalent_on(self, day: date) -> float | None:
        """Summed prednisone-equivalent mg/day of active glucocorticoids (§9, judged on the daily
        equivalent: every 2 days counts half); None if a dose is missing or cannot be
        converted."""
        total = 0.0
        for agent in self.active_on(day).values():
            if agent_class(agent.agent) is not AgentClass.GLUCOCORTICOID:
                continue
            if agent.daily_mg is None:
                return None
            total += agent.daily_mg * self._definition.prednisone_equivalence[agent.agent]
        return total

    def high_dose_glucocorticoid_on(self, day: date) -> bool:
        """§9: prednisone-equivalent >= threshold, or IV methylprednisolone (always counts)."""
        return self._per_snapshot("high_dose", day, self._high_dose_glucocorticoid_on)

    def _high_dose_glucocorticoid_on(self, day: date) -> bool:
        agents = self.active_on(day).values()
        glucocorticoids = [a for a in agents if agent_class(a.agent) is AgentClass.GLUCOCORTICOID]
        if not glucocorticoids:
            return False
        if any(a.agent == "methylprednisolone" and a.route == "iv" for a in glucocorticoids):
            return True
        total = self.prednisone_equivalent_on(day)
        if total is None:
            return self._definition.unknown_glucocorticoid_dose_is_high
        return total >= self._definition.high_dose_prednisone_mg

    def intensive_agents_on(self, day: date) -> bool:
        """§9: high-dose glucocorticoid together with cyclophosphamide, a calcineurin
        inhibitor, rituximab or a JAK inhibitor (the salvage state is added by the caller)."""
        return self._per_snapshot("intensive", day, self._intensive_agents_on)

    def _intensive_agents_on(self, day: date) -> bool:
        partners = {
            AgentClass.ALKYLATING,
            AgentClass.CALCINEURIN_INHIBITOR,
            AgentClass.ANTI_CD20,
            AgentClass.JAK_INHIBITOR,
        }
        return self.high_dose_glucocorticoid_on(day) and bool(self.classes_on(day) & partners)

    def is_active(self, agent: str, day: date) -> bool:
        return agent in self.active_on(day)

    def pjp_covered_on(self, day: date) -> bool:
        """Any PJP prophylaxis agent active (§8: TMP-SMX or an alternative)."""
        return not PJP_PROPHYLAXIS.isdisjoint(self.active_on(day))
