"""An RxNorm release as NLM ships it: the concepts of ``RXNCONSO.RRF`` that the RxNorm table
(``terminology/rxnorm.csv``) can hold.

NLM's monthly release is the one source that names every code with its normal form (STR) and
term type; the "Current Prescribable Content" subset needs no UMLS licence. Only atoms NLM
itself makes (``SAB=RXNORM``) of the term types the table holds are read: the other sources'
atoms in the same file (MMSL, VANDF ...) name their own products, not RxNorm's.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pathway.errors import InvalidValue

__all__ = [
    "CLINICAL_DRUGS",
    "INGREDIENTS",
    "TABLE_TERM_TYPES",
    "ReleaseConcept",
    "read_release",
    "term_types",
]

INGREDIENTS = frozenset({"IN", "PIN", "MIN"})
CLINICAL_DRUGS = frozenset({"SCD", "SBD", "GPCK", "BPCK"})
TABLE_TERM_TYPES = INGREDIENTS | CLINICAL_DRUGS
"""Ingredients and clinical drugs: what a medication's code can be read as."""


def term_types(tty: str) -> frozenset[str]:
    """The term types a table row's ``tty`` allows: one, or several joined by ``|`` while a
    source shows only that the code is one of them (NLM's release then says which)."""
    return frozenset(tty.split("|"))


CONCEPTS_FILE = "RXNCONSO.RRF"
_FIELDS = 18
"""RXNCONSO.RRF columns (RxNorm Technical Documentation §12.5): RXCUI LAT TS LUI STT SUI ISPREF
RXAUI SAUI SCUI SDUI SAB TTY CODE STR SRL SUPPRESS CVF, each line ending in ``|``."""
_RXCUI, _SAB, _TTY, _STR, _SUPPRESS = 0, 11, 12, 14, 16


@dataclass(frozen=True)
class ReleaseConcept:
    """One RxNorm concept of the release: its code, term type, name and whether NLM
    suppresses it (``N``: current; ``O``, ``Y``, ``E``: obsolete or suppressed)."""

    rxcui: str
    tty: str
    name: str
    suppress: str

    @property
    def current(self) -> bool:
        return self.suppress == "N"


def _concepts_file(release: Path) -> Path:
    """``RXNCONSO.RRF`` in the release folder or its ``rrf`` folder (as the zip unpacks)."""
    for candidate in (release / CONCEPTS_FILE, release / "rrf" / CONCEPTS_FILE):
        if candidate.is_file():
            return candidate
    raise InvalidValue(
        "RELEASE",
        str(release),
        f"an unpacked RxNorm release folder holding {CONCEPTS_FILE} (or rrf/{CONCEPTS_FILE})",
    )


def _atoms(path: Path) -> Iterator[list[str]]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            fields = line.rstrip("\r\n").split("|")
            if fields[-1] == "":
                fields.pop()
            if len(fields) != _FIELDS:
                raise InvalidValue(
                    f"{path.name} line {number}",
                    line.strip()[:80],
                    f"{_FIELDS} fields separated by '|' (RXCUI|LAT|...|SAB|TTY|CODE|STR|SRL|"
                    "SUPPRESS|CVF|)",
                )
            yield fields


def read_release(release: Path) -> dict[str, ReleaseConcept]:
    """The release's RxNorm concepts of the table's term types, by RxCUI."""
    found: dict[str, ReleaseConcept] = {}
    for fields in _atoms(_concepts_file(release)):
        if fields[_SAB] != "RXNORM" or fields[_TTY] not in TABLE_TERM_TYPES:
            continue
        found[fields[_RXCUI]] = ReleaseConcept(
            fields[_RXCUI], fields[_TTY], fields[_STR], fields[_SUPPRESS]
        )
    return found
