"""The patient's results beyond the PFTs, as every edge shows them: CMV loads in the unit and
with the comparator reported (``< 35 IU/mL``), laboratory results, resting SpO2 and six-minute
walks (CLINICAL_SPEC §11), and the ferritin and KL-6 series charted beside FVC/DLCO."""

from datetime import date
from typing import Any

from pathway.observations import lab_value
from persistence.tables import ObservationRow

from .summary import PatientSummary
from .timeline import describe_observation

__all__ = ["RESULT_KINDS", "markers", "results"]

RESULT_KINDS = ("cmv", "lab", "spo2", "six_minute_walk")
"""The observations listed as results (PFTs have their own chart and table; HRCT and oxygen
are read in the timeline)."""


def _standing(summary: PatientSummary, kinds: tuple[str, ...]) -> list[ObservationRow]:
    """The observations of ``kinds`` known and standing on the summary's day, oldest first."""
    rows = [
        o
        for o in summary.standing_observations()
        if o.kind in kinds and o.clinical_on <= summary.as_of
    ]
    return sorted(rows, key=lambda o: (o.clinical_on, o.id or 0))


def results(summary: PatientSummary) -> list[dict[str, Any]]:
    """Each result with its record id (what a correction names), date, kind and words."""
    return [
        {
            "entry": f"obs{row.id}",
            "on": row.clinical_on,
            "kind": row.kind,
            "text": describe_observation(row),
        }
        for row in _standing(summary, RESULT_KINDS)
    ]


def markers(summary: PatientSummary) -> list[tuple[date, str, float]]:
    """The ferritin and KL-6 results to chart, as (date, analyte, value), oldest first (§11:
    charted beside FVC/DLCO)."""
    points = []
    for row in _standing(summary, ("lab",)):
        found = lab_value(row)
        if found is not None and found[0] in ("ferritin", "kl6"):
            points.append((row.clinical_on, *found))
    return points
