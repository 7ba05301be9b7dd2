"""Small readers of FHIR data types (dates, codings, quantities, references), and `Skip`: why
a resource is not imported.

Each reader either returns a value the engine's vocabulary uses or raises `Skip` with the
report's status and a reason naming the element, so nothing is ever filled in by guess.
"""

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pathway.date_bounds import bounded_day
from pathway.errors import InvalidValue

from .codes import UCUM, normalise_name

__all__ = [
    "Skip",
    "clinical_day",
    "codings",
    "describe",
    "names",
    "quantity_in",
    "reference_text",
    "unit_of",
    "within_range",
]


class Skip(Exception):
    """A resource that is not imported: ``status`` is the report's (``unknown_code``,
    ``invalid``, ``not_imported``) and ``reason`` says what to fix."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


def within_range(day: date, element: str) -> date:
    """``day`` within the range every date accepted must fall in (`pathway.date_bounds`),
    else the resource is invalid, naming the element and the range."""
    try:
        return bounded_day(element, day)
    except InvalidValue as error:
        raise Skip("invalid", str(error)) from None


def clinical_day(value: object, element: str, zone: str) -> date:
    """The clinical day of a FHIR date or dateTime, in the clinic's time zone, within the
    accepted range; a partial date (year, or year and month) is refused: the engine judges
    per day."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return within_range(value.date(), element)
        within_range(value.date(), element)  # 9999-12-31T23:00-05:00 is a day past 9999
        return within_range(value.astimezone(ZoneInfo(zone)).date(), element)
    if isinstance(value, date):
        return within_range(value, element)
    if value is None:
        raise Skip("invalid", f"{element}: missing; a clinical date is needed")
    raise Skip("invalid", f"{element}: {value!s} is not a full date (YYYY-MM-DD)")


def codings(concept: Any) -> list[tuple[str | None, str | None]]:
    """The (system, code) pairs of a CodeableConcept."""
    return [(c.system, c.code) for c in (getattr(concept, "coding", None) or [])]


def names(concept: Any) -> list[str]:
    """The text and every coding's display, as the catalogue spells names."""
    texts = [getattr(concept, "text", None)]
    texts += [c.display for c in (getattr(concept, "coding", None) or [])]
    return [normalise_name(t) for t in texts if t]


def describe(concept: Any) -> str:
    """A concept as the report shows it: ``system|code`` pairs and the text."""
    if concept is None:
        return "(no code)"
    parts = [f"{system or '?'}|{code or '?'}" for system, code in codings(concept)]
    if getattr(concept, "text", None):
        parts.append(repr(concept.text))
    return ", ".join(parts) or "(no code)"


def quantity_in(quantity: Any, element: str, units: frozenset[str]) -> float:
    """The value of a Quantity given in one of ``units`` (UCUM codes; the human ``unit`` is
    accepted when no code is sent)."""
    if quantity is None or quantity.value is None:
        raise Skip("invalid", f"{element}: no value")
    unit = unit_of(quantity)
    if unit not in units:
        raise Skip(
            "unknown_code",
            f"{element}: unit {unit!r} is not read; ildpath reads it in {', '.join(sorted(units))}",
        )
    return float(quantity.value)


def unit_of(quantity: Any) -> str | None:
    """A Quantity's UCUM code (the human ``unit`` when no code is sent)."""
    if quantity is None:
        return None
    code: str | None = quantity.code
    return code if code and quantity.system in (None, UCUM) else quantity.unit


def reference_text(reference: Any) -> str:
    if reference is None:
        return "(none)"
    if reference.reference:
        return str(reference.reference)
    identifier = reference.identifier
    if identifier is not None:
        return f"identifier {identifier.system}|{identifier.value}"
    return "(empty reference)"
