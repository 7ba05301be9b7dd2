"""What one patient's record says about guideline adherence (CLINICAL_SPEC §10).

Pure facts per patient and period; the cohort report only counts and takes medians of them.
Each fact reads the record through the same chart as the rules, so the audit judges care by
the very definitions the engine used to advise it.
"""

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from .catalogue import HIGH_OXYGEN
from .chart import Chart
from .rules.safety import triple_therapy_starts

__all__ = [
    "TaskTimeliness",
    "TripleTherapyStart",
    "high_oxygen_first_recorded",
    "pjp_coverage_days",
    "plasma_exchange_within",
    "status_on",
    "task_timeliness",
    "triple_therapy_start",
]


class TaskTimeliness(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    MISSED = "missed"
    PENDING = "pending"
    CANCELLED = "cancelled"
    DECLINED = "declined"
    """Declined by a person with a reason (§8): counted apart, neither on time nor missed."""


def status_on(status: str, closed_on: date | None, day: date) -> str:
    """A stored task's status as it stood at the end of ``day``: a task closed later was still
    open then."""
    if status != "open" and closed_on is not None and closed_on > day:
        return "open"
    return status


def task_timeliness(
    due_on: date, status: str, closed_on: date | None, until: date, grace_days: int
) -> TaskTimeliness:
    """Done by the due date plus the audit grace is on time; still open once the grace has
    passed by ``until`` is missed; open within the grace cannot be judged yet (§10). Judged by
    the engine's due date, even when a person rescheduled the task (§8); a declined task is
    counted apart."""
    deadline = due_on + timedelta(days=grace_days)
    if status == "cancelled":
        return TaskTimeliness.CANCELLED
    if status == "declined":
        return TaskTimeliness.DECLINED
    if status == "done" and closed_on is not None and closed_on <= until:
        return TaskTimeliness.ON_TIME if closed_on <= deadline else TaskTimeliness.LATE
    return TaskTimeliness.MISSED if until > deadline else TaskTimeliness.PENDING


@dataclass(frozen=True)
class TripleTherapyStart:
    """§7/§10 for an anti-MDA5 positive patient: when each of the three groups first began."""

    first_on: date
    group_starts: dict[int, date]
    window_days: int

    @property
    def complete_on(self) -> date | None:
        """The day the third group was started (all three given), if it was."""
        return max(self.group_starts.values()) if len(self.group_starts) == 3 else None

    @property
    def simultaneous(self) -> bool:
        done = self.complete_on
        return done is not None and done <= self.first_on + timedelta(days=self.window_days)

    def judged_by(self, day: date) -> bool:
        """Simultaneous, or its window has closed by ``day`` (otherwise still open)."""
        return self.simultaneous or day > self.first_on + timedelta(days=self.window_days)


def triple_therapy_start(chart: Chart, until: date) -> TripleTherapyStart | None:
    """None when none of the three groups has been started on or after enrolment by
    ``until``."""
    starts = triple_therapy_starts(chart, until)
    if not starts:
        return None
    return TripleTherapyStart(
        min(starts.values()), starts, chart.definition.triple_therapy_window_days
    )


def plasma_exchange_within(chart: Chart, refractory_on: date, until: date) -> date | None:
    """The first plasma exchange in the §6 window after the refractory date, known by
    ``until``."""
    deadline = refractory_on + timedelta(days=chart.definition.plasma_exchange_window_days)
    done = sorted(
        p.on
        for p in chart.record.procedures
        if p.kind == "plasma_exchange" and refractory_on <= p.on <= min(deadline, until)
    )
    return done[0] if done else None


def high_oxygen_first_recorded(chart: Chart, start: date, end: date) -> date | None:
    """The first high-flow (or more) oxygen requirement dated within the period."""
    hits = [o.on for o in chart.observations("oxygen", until=end) if o.oxygen in HIGH_OXYGEN]
    return next((d for d in hits if d >= start), None)


def _segments(chart: Chart, start: date, end: date) -> Iterator[tuple[date, int]]:
    """(first day, length in days) of each stretch within [start, end] over which the active
    agents do not change: exposure is judged once per stretch, not once per day."""
    first = max(start, chart.record.enrolled_on)
    cuts = [d for d in chart.exposure.change_days if first < d <= end]
    bounds = [first, *cuts, end + timedelta(days=1)]
    for day, following in itertools.pairwise(bounds):
        if day <= end:
            yield day, (following - day).days


def pjp_coverage_days(chart: Chart, start: date, end: date) -> tuple[int, int]:
    """(days on a high-dose glucocorticoid, of those the days with a PJP prophylaxis agent
    active) in the
    period: §10 PJP prophylaxis coverage, by patient-day."""
    exposed = covered = 0
    for day, length in _segments(chart, start, end):
        if chart.exposure.high_dose_glucocorticoid_on(day):
            exposed += length
            if chart.exposure.pjp_covered_on(day):
                covered += length
    return exposed, covered
