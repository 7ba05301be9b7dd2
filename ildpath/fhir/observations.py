"""FHIR Observation -> a PFT, CMV DNA result, oxygen requirement, laboratory result, resting
SpO2 or six-minute walk (CLINICAL_SPEC §11).

The LOINC code says which field (``codes.LOINC_OBSERVATIONS``; ildpath's own codes for what
LOINC lacks, ``codes.LOCAL_OBSERVATIONS``), the UCUM unit must be the one the field is kept in
(``codes.UNITS``); a panel's components are read the same way. A CMV load's code says its unit
(``terminology/cmv.csv``: IU/mL under a [Units/volume] code, copies/mL under a [#/volume]
one), kept as reported, never converted, with its ``comparator``: ``< 35 IU/mL`` is never
stored as 35. Any other value reported beyond a limit is not read. The PFT measures of one
patient and day are entered together as one PFT by the importer, as a person enters FVC and
DLCO in one ``ildpath record pft``.

Only a final result is judged: ``preliminary`` and ``registered`` ones wait for their final
version (then imported as new); ``corrected`` and ``amended`` ones are read like a final one
(the importer replaces an entry imported before, §11 Corrections); ``entered-in-error`` takes
back an imported entry (``retracted_on``).
"""

from datetime import date
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
from .terminology import table
from .values import Skip, clinical_day, codings, describe, quantity_in, unit_of

__all__ = ["CMV_CODES", "FINAL_STATUSES", "dated", "read_observation", "retracted_on"]

FINAL_STATUSES = ("final", "amended", "corrected")
"""Only results that are final are entered; preliminary ones wait for their final version."""
WAITING = ("registered", "preliminary")
"""Results not yet final: not judged until their final version comes."""

CMV_CODES: dict[str, tuple[str, str]] = {
    row["loinc"]: (row["field"], row["unit"]) for row in table("cmv")
}
"""CMV DNA LOINC code -> (the field its result is kept in, the one UCUM unit it is read in)."""


def _known(concept: Any) -> tuple[str, str, str] | None:
    """(LOINC code, kind, field) of the first known LOINC coding."""
    for system, code in codings(concept):
        if system == LOINC and code in CMV_CODES:
            return (str(code), "cmv", CMV_LOAD)
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


def _effective(resource: Any, reading: Reading) -> date:
    effective = resource.effectiveDateTime or resource.effectiveInstant
    if effective is None and resource.effectivePeriod is not None:
        effective = resource.effectivePeriod.start
    return clinical_day(effective, "Observation.effective", reading.zone)


def dated(resource: Any, reading: Reading) -> date | None:
    """The clinical day a resource says it happened on (an Observation's effective, an
    Immunization's occurrence, a Procedure's performed), when it says a full one."""
    value = (
        getattr(resource, "effectiveDateTime", None)
        or getattr(resource, "effectiveInstant", None)
        or getattr(resource, "occurrenceDateTime", None)
        or getattr(resource, "performedDateTime", None)
    )
    for period in ("effectivePeriod", "performedPeriod"):
        found = getattr(resource, period, None)
        value = value or (found.start if found is not None else None)
    try:
        return clinical_day(value, "date", reading.zone) if value is not None else None
    except Skip:
        return None


def retracted_on(resource: Any, reading: Reading) -> date:
    """The clinical day of a result entered in error (its effective day, when it says one)."""
    try:
        return _effective(resource, reading)
    except Skip:
        return date.min


def _cmv_field(code: str, quantity: Any) -> str:
    """The field a CMV load is kept in: the one its code says, the unit checked against it."""
    unit = unit_of(quantity)
    if code in CMV_CODES:
        field, expected = CMV_CODES[code]
        if unit != expected:
            raise Skip(
                "unknown_code",
                f"Observation {code}: unit {unit!r} does not fit the code, which reports "
                f"{expected} (never converted)",
            )
        return field
    return CMV_UNIT_FIELDS[str(unit)]


def read_observation(resource: Any, reading: Reading) -> list[Event]:
    if resource.status in WAITING:
        raise Skip(
            "not_imported",
            f"status {resource.status}: not judged until final (imported when its final "
            "version comes)",
        )
    if resource.status not in FINAL_STATUSES:
        raise Skip("not_imported", f"status {resource.status}: only final results are entered")
    measures = _measures(resource)
    if not measures:
        raise Skip("unknown_code", f"Observation.code {describe(resource.code)}: not read")
    kinds = {kind for _, kind, _, _ in measures}
    if len(kinds) > 1:
        raise Skip("invalid", f"Observation mixes {', '.join(sorted(kinds))} measures")
    on = _effective(resource, reading)
    values: dict[str, Any] = {}
    note = ""
    for code, _, name, quantity in measures:
        value = quantity_in(quantity, f"Observation {code}", UNITS[name])
        comparator = getattr(quantity, "comparator", None)
        if name == CMV_LOAD:
            name = _cmv_field(code, quantity)
            if comparator:
                values["comparator"] = comparator
        elif comparator:
            raise Skip(
                "not_imported",
                f"Observation {code}: a value reported as {comparator!r} {value:g} is not read "
                "(only a CMV load is kept with its comparator; never stored as a plain number)",
            )
        if name == "oxygen":
            values[name] = oxygen_requirement(value, reading.low_flow_max)
            note = f"{value:g} L/min read as {values[name]} (docs/fhir.md: oxygen flow)"
        elif name in values and values[name] != value:
            raise Skip("invalid", f"Observation gives {name} twice ({values[name]}, {value})")
        else:
            values[name] = value
    return [Event(on, "observation", kinds.pop(), values, note=note)]
