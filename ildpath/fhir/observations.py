"""FHIR Observation -> a PFT, CMV DNA result, oxygen requirement, laboratory result, resting
SpO2 or six-minute walk (CLINICAL_SPEC §11).

The LOINC code says which field (``codes.LOINC_OBSERVATIONS``; ildpath's own codes for what
LOINC lacks, ``codes.LOCAL_OBSERVATIONS``), the UCUM unit must be the one the field is kept in
(``codes.UNITS``); a panel's components are read the same way. A CMV load is kept in the unit
it was reported in (IU/mL or copies/mL, never converted) with its ``comparator``: ``< 35
IU/mL`` is never stored as 35. Any other value reported beyond a limit is not read. The PFT
measures of one patient and day are entered together as one PFT by the importer, as a person
enters FVC and DLCO in one ``ildpath record pft``.
"""

from typing import Any

from .codes import (
    CMV_LOAD,
    CMV_UNIT_FIELDS,
    LOCAL_OBSERVATIONS,
    LOINC,
    LOINC_OBSERVATIONS,
    UNITS,
    oxygen_requirement,
)
from .events import Event, Reading
from .values import Skip, clinical_day, codings, describe, quantity_in, unit_of

__all__ = ["FINAL_STATUSES", "read_observation"]

FINAL_STATUSES = ("final", "amended", "corrected")
"""Only results that are final are entered; preliminary ones wait for their final version."""


def _known(concept: Any) -> tuple[str, str, str] | None:
    """(LOINC code, kind, field) of the first known LOINC coding."""
    for system, code in codings(concept):
        if system == LOINC and code in LOINC_OBSERVATIONS:
            return (code, *LOINC_OBSERVATIONS[code])
        local = LOCAL_OBSERVATIONS.get((system or "", code or ""))
        if local is not None:
            return (str(code), *local)
    return None


def _measures(resource: Any) -> list[tuple[str, str, str, Any]]:
    """(code, kind, field, Quantity) of the observation and of its components."""
    found = []
    for element in [resource, *(resource.component or [])]:
        known = _known(element.code)
        if known is not None:
            found.append((*known, element.valueQuantity))
    return found


def read_observation(resource: Any, reading: Reading) -> list[Event]:
    if resource.status not in FINAL_STATUSES:
        raise Skip("not_imported", f"status {resource.status}: only final results are entered")
    measures = _measures(resource)
    if not measures:
        raise Skip("unknown_code", f"Observation.code {describe(resource.code)}: not read")
    kinds = {kind for _, kind, _, _ in measures}
    if len(kinds) > 1:
        raise Skip("invalid", f"Observation mixes {', '.join(sorted(kinds))} measures")
    effective = resource.effectiveDateTime or resource.effectiveInstant
    if effective is None and resource.effectivePeriod is not None:
        effective = resource.effectivePeriod.start
    on = clinical_day(effective, "Observation.effective", reading.zone)
    values: dict[str, Any] = {}
    note = ""
    for code, _, name, quantity in measures:
        value = quantity_in(quantity, f"Observation {code}", UNITS[name])
        comparator = getattr(quantity, "comparator", None)
        if name == CMV_LOAD:
            name = CMV_UNIT_FIELDS[str(unit_of(quantity))]
            if comparator:
                values["comparator"] = comparator
        elif comparator:
            raise Skip(
                "invalid",
                f"Observation {code}: a value reported as {comparator!r} {value:g} is not read "
                "(only a CMV load is kept with its comparator)",
            )
        if name == "oxygen":
            values[name] = oxygen_requirement(value, reading.low_flow_max)
            note = f"{value:g} L/min read as {values[name]} (docs/fhir.md: oxygen flow)"
        elif name in values and values[name] != value:
            raise Skip("invalid", f"Observation gives {name} twice ({values[name]}, {value})")
        else:
            values[name] = value
    return [Event(on, "observation", kinds.pop(), values, note=note)]
