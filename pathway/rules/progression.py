"""Progression detection on serial PFTs (CLINICAL_SPEC §5).

ATS/ERS/JRS/ALAT 2022 physiological criterion of progressive pulmonary fibrosis; [S0]: a 5%
FVC decline over 12 months is associated with doubled mortality.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from ..chart import Chart
from ..record import Observation
from ..window import Window

__all__ = ["WINDOWS", "ProgressionEvidence", "progression_suspected"]

WINDOWS: tuple[Window, ...] = ()
"""None: the 365 days are counted back from the latest PFT, a date of the record (§5)."""


@dataclass(frozen=True)
class ProgressionEvidence:
    latest: Observation
    compared_with: tuple[Observation, ...]
    detail: str


def _decline(
    latest_value: float | None, earlier: list[tuple[float | None, Observation]]
) -> tuple[float, Observation] | None:
    values = [(v, o) for v, o in earlier if v is not None]
    if latest_value is None or not values:
        return None
    best_value, best = max(values, key=lambda pair: pair[0])
    return round(best_value - latest_value, 6), best


def progression_suspected(chart: Chart, day: date) -> ProgressionEvidence | None:
    """`PROGRESSION_SUSPECTED` on the PFTs known on ``day``: the latest PFT (by clinical date)
    has FVC % predicted >= 5 points, or DLCO % predicted (Hb-corrected where available) >= 10
    points, below the highest value of that measure among the PFTs dated within the 365 days
    before it, inclusive (§5, thresholds configurable)."""
    pfts = chart.observations("pft", until=day)
    if len(pfts) < 2:
        return None
    latest = pfts[-1]
    if latest.on < chart.record.enrolled_on:
        return None  # PFTs before enrolment are a baseline, not a finding (§11 Prior history)
    window_start = latest.on - timedelta(days=chart.definition.progression_window_days)
    earlier = [p for p in pfts[:-1] if window_start <= p.on <= latest.on]
    findings: list[str] = []
    compared: list[Observation] = []
    fvc = _decline(latest.fvc_pct, [(p.fvc_pct, p) for p in earlier])
    if fvc is not None and fvc[0] >= chart.definition.fvc_decline_points:
        findings.append(f"FVC {latest.fvc_pct:g}% is {fvc[0]:g} points below {fvc[1].on}")
        compared.append(fvc[1])
    dlco = _decline(latest.dlco_for_trend, [(p.dlco_for_trend, p) for p in earlier])
    if dlco is not None and dlco[0] >= chart.definition.dlco_decline_points:
        findings.append(f"DLCO {latest.dlco_for_trend:g}% is {dlco[0]:g} points below {dlco[1].on}")
        compared.append(dlco[1])
    if not findings:
        return None
    return ProgressionEvidence(latest, tuple(compared), "; ".join(findings))
