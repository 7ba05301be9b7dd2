"""The route of a FHIR dosage (``dosage.route``) as the engine's route (``iv``, ``oral``, ``sc``,
``im``, ``inhaled``), from ``terminology/routes.csv``: a SNOMED CT code, or the words EHRs write
("Oral", "by mouth", "PO", "Subcutaneous"...).

A route is a detail of the order, not what decides it: a route that cannot be read (an unknown
word, or a code and a word that disagree) is kept as unknown - no route, and a note saying what
was sent - and the order is still entered. It is never guessed.
"""

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from pathway.catalogue import ROUTES

from .codes import SNOMED
from .terminology import table
from .values import codings, describe

__all__ = ["RouteReading", "read_route"]


@dataclass(frozen=True)
class RouteReading:
    """The route read (None when none was sent or it could not be read) and, when it could
    not, the note for the report."""

    route: str | None
    note: str = ""


@cache
def _tables() -> tuple[dict[str, str], dict[str, str]]:
    by_code: dict[str, str] = {}
    by_word: dict[str, str] = {}
    for row in table("routes"):
        if row["route"] not in ROUTES:
            raise ValueError(f"routes.csv: {row['route']!r} is not a route of the engine")
        (by_code if row["system"] == "snomed" else by_word)[row["code"]] = row["route"]
    return by_code, by_word


_QUALIFIER = re.compile(r"\s*\([^)]*\)\s*$")
_SUFFIX = re.compile(r"\s+(?:route|use)$")


def _word(text: str) -> str:
    """ "Oral route (qualifier value)" -> "oral"; "By Mouth" -> "by mouth"."""
    text = _QUALIFIER.sub("", " ".join(text.lower().split()))
    return _SUFFIX.sub("", text).strip()


def read_route(concept: Any) -> RouteReading:
    """The route of a ``dosage.route`` CodeableConcept (None when absent)."""
    if concept is None:
        return RouteReading(None)
    by_code, by_word = _tables()
    found = {by_code[c] for s, c in codings(concept) if s == SNOMED and c in by_code}
    texts = [concept.text] + [c.display for c in (concept.coding or [])]
    found |= {by_word[_word(t)] for t in texts if t and _word(t) in by_word}
    if len(found) == 1:
        return RouteReading(found.pop())
    why = "names several routes" if found else "is not a route ildpath knows"
    return RouteReading(None, f"route {describe(concept)} {why}: entered without a route")
