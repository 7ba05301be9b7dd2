"""The phenotype's code tables (``terminology/diagnoses.csv``, ``antibodies.csv``,
``vitals.csv``) as lookups, and the clinic's own codes for what they lack
(``ILDPATH_FHIR_LOCAL_CODES``): a CSV of ``system,code,meaning`` read once per import.

A local code may only add a code the shipped tables do not know, or repeat what they say: a
laboratory's code never overrides a standard one, so a typo in a local file cannot turn a
standard negative into a positive.
"""

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .terminology import table

__all__ = [
    "ANTIBODIES",
    "DIAGNOSES",
    "LOCAL_MEANINGS",
    "MYOSITIS_DIAGNOSES",
    "Antibody",
    "LocalCodesError",
    "Vital",
    "antibody_of",
    "diagnosis_of",
    "load_local_codes",
    "vital_in",
    "vital_of",
]

MYOSITIS_DIAGNOSES = (
    "polymyositis",
    "dermatomyositis",
    "clinically_amyopathic_dm",
    "antisynthetase_syndrome",
    "other_iim",
)
"""CLINICAL_SPEC section 1's diagnoses."""

ANTIBODIES = ("anti_mda5", "anti_ars")

LOCAL_MEANINGS = frozenset({*MYOSITIS_DIAGNOSES, "ild", *ANTIBODIES})
"""What a local code may mean (``ILDPATH_FHIR_LOCAL_CODES``)."""


@dataclass(frozen=True)
class Antibody:
    """An antibody result code: which antibody (``anti_mda5``/``anti_ars``) and which antigen
    (``target``: one result per target, the latest final one)."""

    antibody: str
    target: str


@dataclass(frozen=True)
class Vital:
    """A vital-sign code in one unit: the phenotype field and the factor to its unit."""

    field: str
    factor: float


@cache
def _diagnoses() -> dict[tuple[str, str], str]:
    return {(r["system"], r["code"]): r["meaning"] for r in table("diagnoses")}


DIAGNOSES: Mapping[tuple[str, str], str] = _diagnoses()
"""(system, code) -> a diagnosis of section 1, ``ild`` or ``myositis_unspecified``."""


@cache
def _antibodies() -> dict[tuple[str, str], Antibody]:
    return {
        (r["system"], r["code"]): Antibody(r["antibody"], r["target"]) for r in table("antibodies")
    }


@cache
def _vitals() -> dict[tuple[str, str, str], Vital]:
    return {
        (r["system"], r["code"], r["unit"]): Vital(r["field"], float(r["factor"]))
        for r in table("vitals")
    }


def diagnosis_of(
    system: str | None, code: str | None, local: Mapping[tuple[str, str], str]
) -> str | None:
    """What a Condition coding says (shipped table, else the clinic's local codes)."""
    key = (system or "", code or "")
    found = _diagnoses().get(key) or local.get(key)
    return found if found in (*MYOSITIS_DIAGNOSES, "ild", "myositis_unspecified") else None


def antibody_of(
    system: str | None, code: str | None, local: Mapping[tuple[str, str], str]
) -> Antibody | None:
    """Which antibody an Observation coding reports; a local code is its own target."""
    key = (system or "", code or "")
    if key in _antibodies():
        return _antibodies()[key]
    meaning = local.get(key)
    return Antibody(meaning, f"{key[0]}|{key[1]}") if meaning in ANTIBODIES else None


def vital_of(system: str | None, code: str | None) -> bool:
    """Whether a coding is a body weight or height ildpath reads."""
    return any(s == system and c == code for s, c, _ in _vitals())


def vital_in(system: str | None, code: str | None, unit: str | None) -> Vital | None:
    """The field and factor of a weight or height given in ``unit`` (None: not read)."""
    return _vitals().get((system or "", code or "", unit or ""))


class LocalCodesError(ValueError):
    """A local code map that cannot be used, naming the file and line."""


def _shipped(system: str, code: str) -> str | None:
    if (system, code) in _diagnoses():
        return _diagnoses()[(system, code)]
    antibody = _antibodies().get((system, code))
    return antibody.antibody if antibody else None


def load_local_codes(path: Path) -> dict[tuple[str, str], str]:
    """The clinic's local codes: ``system,code,meaning`` rows (``#`` comment lines and blank
    lines skipped). Every bad row is refused with its line: an unknown meaning, a missing
    system or code, the same code twice with two meanings, or a shipped code given another
    meaning."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise LocalCodesError(f"{path}: cannot be read ({error.strerror})") from error
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1)]
    lines = [(n, line) for n, line in lines if line.strip() and not line.startswith("#")]
    if not lines:
        raise LocalCodesError(f"{path}: empty; expected a header system,code,meaning")
    header = [cell.strip() for cell in next(csv.reader([lines[0][1]]))]
    if header != ["system", "code", "meaning"]:
        raise LocalCodesError(
            f"{path} line {lines[0][0]}: header {','.join(header)!r}; expected system,code,meaning"
        )
    found: dict[tuple[str, str], str] = {}
    for number, line in lines[1:]:
        cells = [cell.strip() for cell in next(csv.reader([line]))]
        where = f"{path} line {number}"
        if len(cells) != 3 or not cells[0] or not cells[1]:
            raise LocalCodesError(f"{where}: expected system,code,meaning; got {line!r}")
        system, code, meaning = cells
        if meaning not in LOCAL_MEANINGS:
            raise LocalCodesError(
                f"{where}: meaning {meaning!r} is not one of {', '.join(sorted(LOCAL_MEANINGS))}"
            )
        shipped = _shipped(system, code)
        if shipped is not None and shipped != meaning:
            raise LocalCodesError(
                f"{where}: {system}|{code} already means {shipped!r} in ildpath's tables"
            )
        if found.get((system, code), meaning) != meaning:
            raise LocalCodesError(
                f"{where}: {system}|{code} given twice, as {found[(system, code)]!r} and "
                f"{meaning!r}"
            )
        found[(system, code)] = meaning
    return found
