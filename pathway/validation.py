"""Checks on what a person enters, before anything is written (CLINICAL_SPEC §11).

Every refusal names the field and what is allowed (`InvalidValue`), so the entry can be
corrected at once.
"""

import math
from collections.abc import Collection
from datetime import date, timedelta

from .catalogue import (
    AGENT_CLASS,
    ANTI_BODY_STATUSES,
    DIAGNOSES,
    ILD_COURSES,
    OXYGEN_REQUIREMENTS,
    PHENOTYPE_FLAGS,
    PROCEDURES,
    ROUTES,
    SEXES,
    VACCINATIONS,
)
from .errors import InvalidValue

__all__ = [
    "BASELINE_DAYS",
    "RANGES",
    "check_choice",
    "check_clinical_date",
    "check_flags",
    "check_phenotype",
    "check_range",
]

BASELINE_DAYS = 365
"""§11: a baseline observation may be dated up to this many days before enrolment."""

RANGES: dict[str, tuple[float, float | None]] = {
    "fvc_pct": (10, 200),
    "dlco_pct": (5, 200),
    "dlco_corrected_pct": (5, 200),
    "fvc_l": (0.2, 10),
    "iu_per_ml": (0, None),
    "weight_kg": (20, 300),
    "dose_mg_per_day": (0, None),
}
"""§11 accepted ranges, inclusive; None is unbounded."""

CHOICES: dict[str, Collection[str]] = {
    "agent": sorted(AGENT_CLASS),
    "route": ROUTES,
    "procedure": PROCEDURES,
    "vaccination": VACCINATIONS,
    "oxygen": OXYGEN_REQUIREMENTS,
    "sex": SEXES,
    "diagnosis": DIAGNOSES,
    "anti_mda5": ANTI_BODY_STATUSES,
    "anti_ars": ANTI_BODY_STATUSES,
    "ild_course": ILD_COURSES,
}


_KNOWN = {field: frozenset(options) for field, options in CHOICES.items()}
"""Each vocabulary as a set, to tell a known value at once (a bulk import checks hundreds of
thousands); the lists keep the order a refusal names them in."""


def check_choice(field: str, value: object, allowed: Collection[str] | None = None) -> str:
    """A value from the vocabulary; refuses anything else, naming the allowed values."""
    known = _KNOWN[field] if allowed is None else allowed
    if not isinstance(value, str) or value not in known:
        options = CHOICES[field] if allowed is None else allowed
        raise InvalidValue(field, value, ", ".join(options))
    return value


def check_range(field: str, value: object) -> float:
    """A number within the §11 range of ``field``."""
    low, high = RANGES[field]
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < low
        or (high is not None and value > high)
    ):
        allowed = f"a number from {low:g}" + (f" to {high:g}" if high is not None else " upwards")
        raise InvalidValue(field, value, allowed)
    return float(value)


def check_flags(value: object) -> tuple[str, ...]:
    """Phenotype flags (§1): a list drawn from the known flags."""
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise InvalidValue("risk_factors", value, "a list of: " + ", ".join(PHENOTYPE_FLAGS))
    for flag in value:
        check_choice("risk_factors", flag, PHENOTYPE_FLAGS)
    return tuple(dict.fromkeys(value))


def check_phenotype(field: str, value: object) -> object:
    """One phenotype field's value, as at enrolment or in an amendment."""
    if field == "risk_factors":
        return list(check_flags(value))
    if field == "weight_kg":
        return None if value is None else check_range("weight_kg", value)
    if field == "ild_course" and value is None:
        return None
    if field in {"diagnosis", "anti_mda5", "anti_ars", "ild_course"}:
        return check_choice(field, value)
    raise InvalidValue(
        "field", field, "diagnosis, anti_mda5, anti_ars, ild_course, risk_factors, weight_kg"
    )


def check_clinical_date(
    field: str,
    on: date,
    *,
    recorded_on: date,
    birth_date: date,
    enrolled_on: date,
    baseline_allowed: bool = False,
) -> date:
    """§11: not before birth, not after the day it is recorded, not before enrolment (except a
    baseline observation up to 365 days before)."""
    if on > recorded_on:
        raise InvalidValue(
            field,
            on.isoformat(),
            f"a date on or before the recorded date {recorded_on.isoformat()} (no future dates)",
        )
    if on < birth_date:
        raise InvalidValue(field, on.isoformat(), f"a date on or after birth {birth_date}")
    earliest = enrolled_on - timedelta(days=BASELINE_DAYS) if baseline_allowed else enrolled_on
    if on < earliest:
        what = (
            f"up to {BASELINE_DAYS} days before enrolment"
            if baseline_allowed
            else "on or after enrolment"
        )
        raise InvalidValue(field, on.isoformat(), f"a date {what} ({earliest.isoformat()})")
    return on
