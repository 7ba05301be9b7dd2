"""The patient's recorded observations as FHIR R4 Observations, with the status a correction
gives them (CLINICAL_SPEC §11 Corrections).

FHIR R4 ObservationStatus (http://hl7.org/fhir/observation-status) has ``final``,
``amended`` and its child ``corrected`` ("modified to correct an error in the test result"),
and ``entered-in-error`` ("withdrawn following previous final release"). ildpath never edits
an entry: a correction is a new entry replacing the old one. So the replaced entry is
exported ``entered-in-error`` (a receiver must not use its value), the entry replacing it
``corrected``, an entry entered in error ``entered-in-error``, and every other ``final``.
"""

from typing import Any

from persistence.tables import ObservationRow

from ..usecases.summary import PatientSummary
from .codes import LOINC, UCUM, ildpath_system
from .resources import Refs

__all__ = ["observation", "observation_status", "observations"]

_QUANTITIES = {
    "fvc_pct": ("19872-1", "FVC % predicted", "%"),
    "dlco_pct": ("98130-8", "DLCO % predicted", "%"),
    "fvc_l": ("19870-5", "FVC", "L"),
    "iu_per_ml": ("29604-6", "CMV DNA", "[IU]/mL"),
}


def observation_status(summary: PatientSummary, row: ObservationRow) -> str:
    """``entered-in-error`` when taken back by the summary's day, ``corrected`` when it
    replaced another entry, else ``final``."""
    entry_id = f"obs{row.id}"
    if summary.retraction(entry_id) is not None:
        return "entered-in-error"
    replaced = any(
        r.replaced_by == entry_id and r.recorded_on <= summary.as_of for r in summary.retractions
    )
    return "corrected" if replaced else "final"


def _quantity(name: str, value: float) -> dict[str, Any]:
    code, text, unit = _QUANTITIES[name]
    return {
        "code": {"coding": [{"system": LOINC, "code": code}], "text": text},
        "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
    }


def observation(refs: Refs, row: ObservationRow, status: str) -> dict[str, Any]:
    """One observation: a PFT as components, a CMV load as a quantity, an HRCT finding as
    text, an oxygen requirement as an ildpath code."""
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": f"obs-{row.id}",
        "status": status,
        "code": {
            "coding": [{"system": ildpath_system("observation"), "code": row.kind}],
            "text": row.kind,
        },
        "subject": refs.patient(),
        "effectiveDateTime": row.clinical_on.isoformat(),
        "issued": row.recorded_at.isoformat(),
    }
    if row.kind == "pft":
        resource["component"] = [
            _quantity(name, value)
            for name in ("fvc_pct", "dlco_pct", "fvc_l")
            if (value := getattr(row, name)) is not None
        ]
    elif row.kind == "cmv" and row.iu_per_ml is not None:
        resource["valueQuantity"] = _quantity("iu_per_ml", row.iu_per_ml)["valueQuantity"]
    elif row.kind == "hrct":
        resource["valueString"] = row.finding or ""
    elif row.oxygen is not None:
        resource["valueCodeableConcept"] = {
            "coding": [{"system": ildpath_system("oxygen"), "code": row.oxygen}],
            "text": row.oxygen,
        }
    return resource


def observations(refs: Refs, summary: PatientSummary) -> list[dict[str, Any]]:
    """Every observation dated by the summary's day, with its status."""
    return [
        observation(refs, row, observation_status(summary, row))
        for row in summary.observations
        if row.clinical_on <= summary.as_of
    ]
