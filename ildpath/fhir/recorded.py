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

from pathway.observations import UNITS, cmv_load, lab_value
from persistence.tables import ObservationRow

from ..usecases.summary import PatientSummary
from .codes import LOINC, UCUM, ildpath_system
from .resources import Refs

__all__ = ["observation", "observation_status", "observations"]

_QUANTITIES = {
    "fvc_pct": ("19872-1", "FVC % predicted", "%"),
    "dlco_pct": ("98130-8", "DLCO % predicted", "%"),
    "fvc_l": ("19870-5", "FVC", "L"),
    # CMV DNA viral load by NAA, in the unit reported (never converted); ildpath does not
    # record the specimen: plasma, the usual one for monitoring, is said
    "iu_per_ml": ("72493-0", "CMV DNA, IU/mL", "[IU]/mL"),
    "copies_per_ml": ("30247-1", "CMV DNA, copies/mL", "{copies}/mL"),
    "ferritin": ("2276-4", "Ferritin", "ng/mL"),
    "ck": ("2157-6", "Creatine kinase", "U/L"),
    "crp": ("1988-5", "C-reactive protein", "mg/L"),
    "spo2": ("59408-5", "SpO2 at rest (pulse oximetry)", "%"),
    "metres": ("64098-7", "Six-minute walk distance", "m"),
}
_LOCAL = {
    "kl6": ("laboratory", "KL-6", "U/mL"),
    "nadir_spo2": ("six-minute-walk", "Lowest SpO2 during the six-minute walk", "%"),
}
"""What LOINC has no code for, coded in ildpath's own code systems (``codes.ildpath_system``):
KL-6, and the nadir SpO2 of a six-minute walk."""
_ALSO = {"spo2": ("2708-6", "Oxygen saturation in Arterial blood")}
"""A second LOINC coding, as US Core's pulse oximetry profile gives it."""


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


def _quantity(name: str, value: float, comparator: str | None = None) -> dict[str, Any]:
    """The code of ``name`` and its value as a UCUM quantity (with its comparator: a value
    reported below a limit is exported as ``<`` 35, never as 35)."""
    if name in _LOCAL:
        system, text, unit = _LOCAL[name]
        coding = [{"system": ildpath_system(system), "code": name}]
    else:
        code, text, unit = _QUANTITIES[name]
        coding = [{"system": LOINC, "code": code}]
        if name in _ALSO:
            also, _ = _ALSO[name]
            coding.append({"system": LOINC, "code": also})
    quantity: dict[str, Any] = {"value": value}
    if comparator:
        quantity["comparator"] = comparator
    quantity |= {"unit": UNITS.get(name, unit), "system": UCUM, "code": unit}
    return {"code": {"coding": coding, "text": text}, "valueQuantity": quantity}


def _measured(resource: dict[str, Any], name: str, value: float, comparator: str | None) -> None:
    """The observation's own value: its code's codings after the ildpath kind, its quantity."""
    measured = _quantity(name, value, comparator)
    resource["code"]["coding"] += measured["code"]["coding"]
    resource["code"]["text"] = measured["code"]["text"]
    resource["valueQuantity"] = measured["valueQuantity"]


def observation(refs: Refs, row: ObservationRow, status: str) -> dict[str, Any]:
    """One observation: a PFT as components, a CMV load, a laboratory result, a resting SpO2
    or a six-minute walk as a coded quantity (LOINC where it has a code), an HRCT finding as
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
    elif row.kind == "cmv" and (load := cmv_load(row)) is not None:
        _measured(resource, load.unit, load.value, load.comparator)
    elif row.kind == "lab" and (found := lab_value(row)) is not None:
        _measured(resource, *found, None)
    elif row.kind == "spo2" and row.spo2 is not None:
        _measured(resource, "spo2", row.spo2, None)
    elif row.kind == "six_minute_walk" and row.metres is not None:
        _measured(resource, "metres", row.metres, None)
        if row.nadir_spo2 is not None:
            resource["component"] = [_quantity("nadir_spo2", row.nadir_spo2)]
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
