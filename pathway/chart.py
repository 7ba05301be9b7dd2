"""The chart: one record read through the pathway, with the derived courses the rules share.

Built once per evaluation so that every rule reads the same phenotype, state course and drug
exposure, and none of them re-sorts the record.
"""

from bisect import bisect_right
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from .course import StateCourse
from .definition import PathwayDefinition
from .exposure import Exposure
from .memo import remembered
from .phenotype import Phenotype, phenotype_on
from .record import Observation, PatientRecord
from .window import Window

__all__ = ["WINDOWS", "Chart", "Period"]


@dataclass(frozen=True)
class Period:
    """Days on which a condition held: from ``start`` until the day before ``end``."""

    start: date
    end: date | None


@dataclass
class Chart:
    record: PatientRecord
    definition: PathwayDefinition
    _phenotypes: dict[Hashable, Phenotype] = field(default_factory=dict, repr=False)
    _days_judged: dict[Hashable, bool] = field(default_factory=dict, repr=False)

    @cached_property
    def course(self) -> StateCourse:
        return StateCourse.of(self.record)

    @cached_property
    def exposure(self) -> Exposure:
        return Exposure(self.record, self.definition)

    @cached_property
    def _phenotype_days(self) -> list[date]:
        return sorted(e.on for e in self.record.phenotype)

    def phenotype(self, day: date) -> Phenotype:
        """The phenotype in force on ``day``, worked out once per set of entries in force
        (the rules ask for it on hundreds of days that share a handful of them)."""
        in_force = bisect_right(self._phenotype_days, max(day, self.record.enrolled_on))
        return remembered(self._phenotypes, in_force, lambda: phenotype_on(self.record, day))

    def observations(self, kind: str, until: date | None = None) -> list[Observation]:
        """Observations of one kind in clinical order (ties in recording order)."""
        hits = [o for o in self.record.observations if o.kind == kind]
        if until is not None:
            hits = [o for o in hits if o.on <= until]
        return sorted(hits, key=lambda o: o.on)

    def observation(self, observation_id: str) -> Observation | None:
        return next((o for o in self.record.observations if o.id == observation_id), None)

    @cached_property
    def change_days(self) -> list[date]:
        """Days on which a day-level condition (agents, state, phenotype) may change."""
        days = set(self.exposure.change_days) | self.course.change_days()
        days |= {e.on for e in self.record.phenotype}
        days.add(self.record.enrolled_on)
        return sorted(d for d in days if d >= self.record.enrolled_on)

    def periods(self, holds: Callable[[date], bool], until: date) -> Iterator[Period]:
        """The periods, up to ``until``, on which ``holds`` was true on every day."""
        start: date | None = None
        for day in self.change_days:
            if day > until:
                break
            held = holds(day)
            if held and start is None:
                start = day
            elif not held and start is not None:
                yield Period(start, day)
                start = None
        if start is not None:
            yield Period(start, None)

    def intensive_on(self, day: date) -> bool:
        """§9 intensive immunosuppression: the agent combination, or being in salvage."""
        return self._judged("intensive", day, self._intensive_on)

    def _intensive_on(self, day: date) -> bool:
        return self.course.state_on(day) == "salvage" or self.exposure.intensive_agents_on(day)

    def _judged(self, name: str, day: date, judge: Callable[[date], bool]) -> bool:
        """``judge(day)`` worked out once per evaluation: several task rules walk the same
        change days, and the PFT ledger asks about each PFT's day twice."""
        return remembered(self._days_judged, (name, day), lambda: judge(day))

    def high_risk_on(self, day: date) -> bool:
        """§8 high risk, which sets the PFT interval to 3 months."""
        return self._judged("high_risk", day, self._high_risk_on)

    def _high_risk_on(self, day: date) -> bool:
        phenotype = self.phenotype(day)
        if (
            phenotype.has_risk_factor
            or phenotype.anti_ars_positive
            or phenotype.mda5_positive
            or phenotype.rapidly_progressive
        ):
            return True
        if self.course.state_on(day) in {
            "induction",
            "progression",
            "salvage",
            "transplant_referral",
        }:
            return True
        lookback = self.definition.detect_progression_lookback_days
        return any(
            0 <= (day - t.on).days <= lookback for t in self.course.all_of("detect_progression")
        )


def _high_risk_after_detected_progression(
    record: PatientRecord, day: date, definition: PathwayDefinition
) -> Iterator[tuple[date, int]]:
    """Each `detect_progression` and the days (365) it keeps the patient high risk (§8): when
    they end, the PFT interval may lengthen to 6 months and re-date the open PFT task, on a day
    no entry names."""
    lookback = definition.detect_progression_lookback_days
    for transition in record.transitions:
        if transition.trigger == "detect_progression":
            yield transition.on, lookback


WINDOWS: tuple[Window, ...] = (
    Window(
        "high risk after detected progression",
        "§8",
        Chart._high_risk_on,
        _high_risk_after_detected_progression,
    ),
)
