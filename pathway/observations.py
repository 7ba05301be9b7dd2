"""The observations' vocabulary (CLINICAL_SPEC §11, revision 2): the laboratory analytes, the
units every measured value is kept in, and a CMV DNA load as the laboratory reported it.

A CMV load is kept in the unit the laboratory used (``iu_per_ml`` or ``copies_per_ml``),
never converted (the factor depends on the assay), with the comparator it was reported with
(``< 35`` IU/mL: below the assay's limit). Every place that judges or shows a CMV result reads
it through `cmv_load`, so the unit and the comparator are never dropped on the way.
"""

from dataclasses import dataclass
from typing import Protocol

__all__ = [
    "BELOW_LIMIT",
    "CMV_UNITS",
    "COMPARATORS",
    "LAB_ANALYTES",
    "UNITS",
    "CmvLoad",
    "CmvResult",
    "LabResult",
    "analyte_name",
    "cmv_load",
    "lab_value",
    "shown",
]

LAB_ANALYTES = ("ferritin", "ck", "kl6", "crp")
"""§11 ``lab``: ferritin, creatine kinase, KL-6, C-reactive protein; any other is unknown."""

CMV_UNITS = ("iu_per_ml", "copies_per_ml")
"""§11: a CMV DNA load in IU/mL, or in copies/mL where the laboratory reports copies."""

COMPARATORS = ("<", "<=", ">", ">=")
"""How a result beyond an assay's limit is reported (as FHIR's Quantity.comparator)."""

BELOW_LIMIT = frozenset({"<", "<="})
"""§8: a result reported below a limit is not above the detection threshold."""

UNITS = {
    "ferritin": "ng/mL",
    "ck": "U/L",
    "kl6": "U/mL",
    "crp": "mg/L",
    "spo2": "%",
    "metres": "m",
    "nadir_spo2": "%",
    "iu_per_ml": "IU/mL",
    "copies_per_ml": "copies/mL",
}
"""The unit each value of the new observations is kept, shown and exported in (§11)."""

_NAMES = {"ferritin": "Ferritin", "ck": "CK", "kl6": "KL-6", "crp": "CRP"}


def shown(value: float, field: str, comparator: str | None = None) -> str:
    """A value with its unit as a clinician reads it: ``< 35 IU/mL``, ``1800 ng/mL``."""
    number = f"{value:g}"
    unit = UNITS[field]
    amount = f"{number}{unit}" if unit == "%" else f"{number} {unit}"
    return f"{comparator} {amount}" if comparator else amount


@dataclass(frozen=True)
class CmvLoad:
    """One CMV DNA result as reported: the value, its unit field and its comparator."""

    value: float
    unit: str
    """``iu_per_ml`` or ``copies_per_ml``."""
    comparator: str | None = None

    @property
    def below_limit(self) -> bool:
        """Reported below a limit (``<`` or ``<=``): not a detected load (§8)."""
        return self.comparator in BELOW_LIMIT

    def exceeds(self, threshold: float) -> bool:
        """Above ``threshold`` (same unit): never when reported below a limit; ``> x`` is
        above a threshold x itself reaches; otherwise the value itself must be above it."""
        if self.below_limit:
            return False
        if self.comparator == ">":
            return self.value >= threshold
        return self.value > threshold

    def __str__(self) -> str:
        return shown(self.value, self.unit, self.comparator)


class CmvResult(Protocol):
    """What a CMV result holds, as the record (`pathway.record.Observation`) and the stored
    row alike hold it."""

    @property
    def iu_per_ml(self) -> float | None: ...
    @property
    def copies_per_ml(self) -> float | None: ...
    @property
    def comparator(self) -> str | None: ...


class LabResult(Protocol):
    """What a ``lab`` observation holds: one of the analytes."""

    @property
    def ferritin(self) -> float | None: ...
    @property
    def ck(self) -> float | None: ...
    @property
    def kl6(self) -> float | None: ...
    @property
    def crp(self) -> float | None: ...


def cmv_load(result: CmvResult) -> CmvLoad | None:
    """The load of a CMV result, in the unit it was reported in (None if it holds none)."""
    for unit in CMV_UNITS:
        value = getattr(result, unit)
        if value is not None:
            return CmvLoad(value, unit, result.comparator)
    return None


def lab_value(result: LabResult) -> tuple[str, float] | None:
    """The analyte and value of a ``lab`` observation (one analyte per observation)."""
    for analyte in LAB_ANALYTES:
        value = getattr(result, analyte)
        if value is not None:
            return analyte, value
    return None


def analyte_name(analyte: str) -> str:
    """``KL-6`` for ``kl6``: the analyte as a clinician writes it."""
    return _NAMES[analyte]
