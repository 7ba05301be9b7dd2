"""Checks on what a person enters, before anything is written (CLINICAL_SPEC §11).

Every refusal names the field and what is allowed (`InvalidValue`), so the entry can be
corrected at once.
"""

import math
import unicodedata
from collections.abc import Collection
from datetime import date

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
from .observations import COMPARATORS, LAB_ANALYTES, UNITS

__all__ = [
    "MAX_AGE_YEARS",
    "RANGES",
    "check_birth_date",
    "check_choice",
    "check_clinical_date",
    "check_flags",
    "check_phenotype",
    "check_range",
    "check_text",
    "years_before",
]

RANGES: dict[str, tuple[float, float | None]] = {
    "fvc_pct": (10, 200),
    "dlco_pct": (5, 200),
    "dlco_corrected_pct": (5, 200),
    "fvc_l": (0.2, 10),
    "iu_per_ml": (0, 1e9),
    "copies_per_ml": (0, 1e9),
    "ferritin": (0, 1_000_000),
    "ck": (0, 1_000_000),
    "kl6": (0, 50_000),
    "crp": (0, 1000),
    "spo2": (50, 100),
    "metres": (0, 1000),
    "nadir_spo2": (50, 100),
    "weight_kg": (20, 300),
    "height_cm": (100, 250),
    "dose_mg_per_day": (0, None),
    "dose": (0, None),
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
    "comparator": COMPARATORS,
    "analyte": LAB_ANALYTES,
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


_UNITS = {
    "fvc_pct": "% predicted",
    "dlco_pct": "% predicted",
    "dlco_corrected_pct": "% predicted",
    "fvc_l": "L",
    **UNITS,
    "weight_kg": "kg",
    "height_cm": "cm",
    "dose_mg_per_day": "mg/day",
}


def _bound(value: float) -> str:
    """A range's bound as a person reads it: ``1,000,000`` rather than ``1e+06``."""
    return f"{value:,.0f}" if float(value).is_integer() and value >= 10_000 else f"{value:g}"


def check_range(field: str, value: object) -> float:
    """A number within the §11 range of ``field``: a finite number, not a boolean (``true``
    is not 1) and not text (``"15"`` is refused, not read: §11 "a number sent as text")."""
    low, high = RANGES[field]
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < low
        or (high is not None and value > high)
    ):
        allowed = f"a number from {_bound(low)}" + (
            f" to {_bound(high)}" if high is not None else " upwards"
        )
        if field in _UNITS:
            allowed += f" ({_UNITS[field]})"
        if isinstance(value, str):
            allowed += " (a number, not text)"
        elif isinstance(value, bool):
            allowed += " (a number, not true/false)"
        raise InvalidValue(field, value, allowed)
    return float(value)


_ALLOWED_CONTROLS = frozenset("\t\n")


def check_text(field: str, value: object, *, max_length: int | None = None) -> str:
    """Free text (a reason, a justification, a finding, a name or id): refused if it holds a
    control character other than tab and newline, or a Unicode format character (category
    Cf: bidi overrides, zero-width characters), which can hide or reorder what a reader sees
    (§11). A Windows line end (CR LF, as browsers send a text area) is read as a newline."""
    if not isinstance(value, str):
        raise InvalidValue(field, value, "text")
    text = value.replace("\r\n", "\n")
    for index, char in enumerate(text):
        category = unicodedata.category(char)
        if (category == "Cc" and char not in _ALLOWED_CONTROLS) or category == "Cf":
            name = unicodedata.name(char, "a control character")
            raise InvalidValue(
                field,
                value,
                f"text without control characters (other than tab and newline) or Unicode "
                f"format characters; found {name} (U+{ord(char):04X}) at position {index + 1}",
            )
    if max_length is not None and len(text) > max_length:
        raise InvalidValue(field, value, f"text of at most {max_length} characters")
    return text


MAX_AGE_YEARS = 120
"""§11: a birth date more than this many years before enrolment is refused."""


def check_birth_date(birth_date: date, enrolled_on: date) -> date:
    """§11: a birth date on or before enrolment and at most 120 years before it."""
    if birth_date > enrolled_on:
        raise InvalidValue(
            "birth_date",
            birth_date.isoformat(),
            f"a date on or before enrolment ({enrolled_on.isoformat()})",
        )
    try:
        earliest = enrolled_on.replace(year=enrolled_on.year - MAX_AGE_YEARS)
    except ValueError:  # 29 February
        earliest = enrolled_on.replace(year=enrolled_on.year - MAX_AGE_YEARS, day=28)
    if birth_date < earliest:
        raise InvalidValue(
            "birth_date",
            birth_date.isoformat(),
            f"a date at most {MAX_AGE_YEARS} years before enrolment (on or after "
            f"{earliest.isoformat()})",
        )
    return birth_date


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
    if field in {"weight_kg", "height_cm"}:
        return None if value is None else check_range(field, value)
    if field == "ild_course" and value is None:
        return None
    if field in {"diagnosis", "anti_mda5", "anti_ars", "ild_course"}:
        return check_choice(field, value)
    raise InvalidValue(
        "field",
        field,
        "diagnosis, anti_mda5, anti_ars, ild_course, risk_factors, weight_kg, height_cm",
    )


def check_clinical_date(
    field: str,
    on: date,
    *,
    recorded_on: date,
    birth_date: date,
    enrolled_on: date,
    prior_history_years: int | None = None,
) -> date:
    """§11: not before birth, not after the day it is recorded, not before enrolment, except
    prior history (``prior_history_years`` given): up to that many years before enrolment."""
    if on > recorded_on:
        raise InvalidValue(
            field,
            on.isoformat(),
            f"a date on or before the recorded date {recorded_on.isoformat()} (no future dates)",
        )
    if on < birth_date:
        raise InvalidValue(field, on.isoformat(), f"a date on or after birth {birth_date}")
    if prior_history_years is None:
        earliest, what = enrolled_on, "on or after enrolment"
    else:
        earliest = years_before(enrolled_on, prior_history_years)
        what = f"up to {prior_history_years} years before enrolment (prior history)"
    if on < earliest:
        raise InvalidValue(field, on.isoformat(), f"a date {what} ({earliest.isoformat()})")
    return on


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)
