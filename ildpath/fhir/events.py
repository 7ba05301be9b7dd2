"""FHIR clinical resources -> the events the engine records (CLINICAL_SPEC §11): each becomes
one or more `Event`s, each to be entered through the same use case a person would use.

Procedure and Immunization are read here; Observation in ``observations``, the medication
resources in ``medications``; ``importing`` dispatches by resource type.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pathway.patient_identifier import PatientIdRule

from .codes import (
    CVX,
    CVX_VACCINES,
    LOW_FLOW_MAX_L_PER_MIN,
    PROCEDURE_CODES,
    PROCEDURE_NAMES,
    VACCINE_NAMES,
)
from .values import Skip, clinical_day, codings, describe, names

__all__ = ["Event", "Reading", "read_immunization", "read_procedure", "subject_of"]


@dataclass(frozen=True)
class Event:
    """One entry for the record: ``action`` names the use case (observation, therapy,
    procedure, vaccination), ``kind`` what it records, ``values`` its fields; ``part``
    tells the parts of one resource apart (a medication's start and stop)."""

    on: date
    action: str
    kind: str
    values: dict[str, Any] = field(default_factory=dict)
    part: str = ""
    note: str = ""


@dataclass(frozen=True)
class Reading:
    """What the importer needs to read resources: the clinic's time zone (for the clinical
    day of a dateTime) and the bundle's Medication resources by reference."""

    zone: str
    medication: Callable[[str], Any | None]
    low_flow_max: float = LOW_FLOW_MAX_L_PER_MIN
    """The highest oxygen flow (L/min) read as low flow (settings)."""
    local_codes: Mapping[tuple[str, str], str] = field(default_factory=dict)
    """The clinic's own (system, code) -> meaning for diagnoses and antibodies
    (``ILDPATH_FHIR_LOCAL_CODES``, read by ``phenotype_codes.load_local_codes``)."""
    patient_ids: PatientIdRule = field(default_factory=PatientIdRule)
    """The clinic's patient id rule (``ILDPATH_PATIENT_ID_PATTERN``), the one every way in
    applies."""


def subject_of(resource: Any) -> Any:
    """The patient a clinical resource is about (``Immunization.patient``, else
    ``subject``)."""
    return getattr(resource, "patient", None) or getattr(resource, "subject", None)


def _by_code_or_name(
    concept: Any,
    by_code: Callable[[str | None, str | None], str | None],
    by_name: dict[str, str],
    what: str,
) -> str:
    found = {k for s, c in codings(concept) if (k := by_code(s, c)) is not None}
    found |= {by_name[n] for n in names(concept) if n in by_name}
    if len(found) > 1:
        raise Skip("invalid", f"{what} {describe(concept)}: names several ({', '.join(found)})")
    if not found:
        raise Skip("unknown_code", f"{what} {describe(concept)} is not one ildpath knows")
    return found.pop()


def read_procedure(resource: Any, reading: Reading) -> list[Event]:
    """A completed plasma exchange or pulmonary rehabilitation (CPT / SNOMED CT, or the
    exact name)."""
    if resource.status != "completed":
        raise Skip("not_imported", f"status {resource.status}: only completed procedures")
    kind = _by_code_or_name(
        resource.code,
        lambda s, c: PROCEDURE_CODES.get((s or "", c or "")),
        PROCEDURE_NAMES,
        "procedure",
    )
    performed = resource.performedDateTime or (
        resource.performedPeriod.start if resource.performedPeriod else None
    )
    on = clinical_day(performed, "Procedure.performed", reading.zone)
    return [Event(on, "procedure", kind)]


def read_immunization(resource: Any, reading: Reading) -> list[Event]:
    """A completed influenza, pneumococcal or COVID-19 vaccination (CVX by
    ``terminology/cvx.csv``, or the exact name)."""
    if resource.status != "completed":
        raise Skip("not_imported", f"status {resource.status}: only completed vaccinations")
    kind = _by_code_or_name(
        resource.vaccineCode,
        lambda s, c: CVX_VACCINES.get(c or "") if s == CVX else None,
        VACCINE_NAMES,
        "vaccine",
    )
    on = clinical_day(resource.occurrenceDateTime, "Immunization.occurrenceDateTime", reading.zone)
    return [Event(on, "vaccination", kind)]
