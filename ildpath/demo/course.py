"""The builder an archetype writes one synthetic course with: dated events relative to
enrolment, plausible PFT values, and the coordinator's habits for this patient."""

import random
from datetime import date, timedelta
from typing import Any

from .plan import Habits, PlannedEvent

__all__ = ["DLCO_RANGE", "FVC_RANGE", "Course"]

FVC_RANGE = (45, 95)
"""FVC % predicted of the demo's planned PFTs."""
DLCO_RANGE = (30, 80)
"""DLCO % predicted of the demo's planned PFTs."""


def _clamp(value: float, bounds: tuple[int, int]) -> int:
    return int(min(max(round(value), bounds[0]), bounds[1]))


class Course:
    """One patient's course as planned: offsets are days after enrolment (day 0).

    Events past the demo's end, or after the patient is closed, are not planned. PFTs keep the
    running and highest values, so an archetype can plan a response (a new best) or a decline
    that meets the progression criterion (§5) against what it planned before.
    """

    def __init__(
        self, rng: random.Random, enrolled_on: date, end: date, sex: str, weight_kg: float
    ) -> None:
        self.rng = rng
        self.enrolled_on = enrolled_on
        self.span = (end - enrolled_on).days
        self.sex = sex
        self.weight_kg = weight_kg
        self.phenotype: dict[str, Any] = {}
        self.events: list[PlannedEvent] = []
        self.habits = Habits()
        self.closed_at: int | None = None
        self.fvc = self.dlco = self.max_fvc = self.max_dlco = 0
        self.predicted_fvc_l = rng.uniform(2.8, 3.6) if sex == "female" else rng.uniform(3.8, 4.9)

    # -- randomness ---------------------------------------------------------------------------

    def between(self, low: int, high: int) -> int:
        """A whole number from ``low`` to ``high``, both included."""
        return self.rng.randint(low, high)

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def pick(self, options: tuple[Any, ...] | list[Any]) -> Any:
        return self.rng.choice(options)

    # -- phenotype ----------------------------------------------------------------------------

    def set_phenotype(
        self,
        diagnosis: str,
        ild_course: str,
        *,
        anti_mda5: str = "negative",
        anti_ars: str = "negative",
        risk_factors: tuple[str, ...] = (),
    ) -> None:
        self.phenotype = {
            "diagnosis": diagnosis,
            "anti_mda5": anti_mda5,
            "anti_ars": anti_ars,
            "ild_course": ild_course,
            "risk_factors": tuple(dict.fromkeys(risk_factors)),
        }

    def flag(self, name: str) -> None:
        self.phenotype["risk_factors"] = (*self.phenotype["risk_factors"], name)

    # -- events -------------------------------------------------------------------------------

    def date_of(self, offset: int) -> date:
        return self.enrolled_on + timedelta(days=offset)

    def fits(self, offset: int) -> bool:
        """Within the demo (on or before its end) and before the patient is closed."""
        return offset <= self.span and (self.closed_at is None or offset < self.closed_at)

    def add(self, offset: int, kind: str, data: dict[str, Any], late_days: int = 0) -> bool:
        if not self.fits(offset) or not self.fits(offset + late_days):
            return False
        self.events.append(PlannedEvent(self.date_of(offset), kind, data, late_days))
        return True

    def start(
        self, offset: int, agent: str, route: str | None = None, dose: float | None = None
    ) -> None:
        self.add(offset, "start", {"agent": agent, "route": route, "dose_mg_per_day": dose})

    def stop(self, offset: int, agent: str) -> None:
        self.add(offset, "stop", {"agent": agent})

    def trigger(self, offset: int, name: str, reason: str | None = None, **options: str) -> bool:
        planned = self.add(offset, "trigger", {"trigger": name, "reason": reason, **options})
        if planned and name == "close":
            self.closed_at = offset
        return planned

    def oxygen(self, offset: int, requirement: str) -> None:
        self.add(offset, "oxygen", {"oxygen": requirement})

    def hrct(self, offset: int, finding: str, extensive_ggo: bool) -> None:
        self.add(offset, "hrct", {"finding": finding, "extensive_ggo": extensive_ggo})

    def amend(self, offset: int, field: str, value: Any, reason: str) -> None:
        self.add(offset, "amend", {field: value, "reason": reason})

    # -- PFTs ---------------------------------------------------------------------------------

    def pft(self, offset: int, fvc: float, dlco: float, *, late_days: int = 0) -> None:
        fvc_pct, dlco_pct = _clamp(fvc, FVC_RANGE), _clamp(dlco, DLCO_RANGE)
        fvc_l = round(self.predicted_fvc_l * fvc_pct / 100, 2)
        values = {"fvc_pct": fvc_pct, "dlco_pct": dlco_pct, "fvc_l": fvc_l}
        if self.add(offset, "pft", values, late_days):
            self.fvc, self.dlco = fvc_pct, dlco_pct
            self.max_fvc, self.max_dlco = max(self.max_fvc, fvc_pct), max(self.max_dlco, dlco_pct)

    def baseline_pft(self, fvc: tuple[int, int], dlco: tuple[int, int]) -> None:
        """The first PFT: at enrolment, or (some patients) the referring hospital's, dated up
        to two months before and entered at enrolment (a baseline observation, §11)."""
        before = self.between(7, 60) if self.chance(0.3) else 0
        self.pft(-before, self.between(*fvc), self.between(*dlco), late_days=before)

    def pft_response(self, offset: int) -> None:
        """Improvement: a new best FVC and DLCO (or within 2 points of the best)."""
        self.pft(
            offset,
            max(self.max_fvc - 2, self.fvc + self.between(4, 9)),
            max(self.max_dlco - 2, self.dlco + self.between(3, 8)),
        )

    def pft_stable(self, offset: int) -> None:
        self.pft(offset, self.fvc + self.between(-1, 1), self.dlco + self.between(-2, 2))

    def pft_worse(self, offset: int) -> None:
        """Worse during acute disease (no progression alert outside monitoring, §5)."""
        self.pft(offset, self.fvc - self.between(2, 6), self.dlco - self.between(2, 6))

    def pft_decline(self, offset: int) -> None:
        """A decline that meets the progression criterion (§5) against the best so far: FVC
        at least 7 points lower, or (some patients) DLCO at least 13 points lower with FVC
        nearly stable. The response PFT, within the 365-day window in every course, is within
        2 points of the best, hence the margins."""
        if self.max_dlco >= 50 and self.chance(0.3):
            fvc, dlco = self.max_fvc - self.between(1, 3), self.max_dlco - self.between(13, 16)
        else:
            fvc, dlco = self.max_fvc - self.between(7, 11), self.max_dlco - self.between(3, 12)
        if self.max_fvc - fvc < 7 and self.max_dlco - dlco < 13:
            raise ValueError(f"no room for a decline below FVC {self.max_fvc}%")
        if fvc < FVC_RANGE[0] or dlco < DLCO_RANGE[0]:
            raise ValueError(f"no room for a decline below FVC {self.max_fvc}%")
        self.pft(offset, fvc, dlco)
