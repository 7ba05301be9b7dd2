"""The patient's phenotype as it stood on a clinical day (CLINICAL_SPEC §1).

An amendment takes effect from its clinical date: rules that depend on a field read the value
in force on the day they judge.
"""

from dataclasses import dataclass
from datetime import date

from .catalogue import RISK_FACTORS
from .record import PatientRecord

__all__ = ["PHENOTYPE_GROUPS", "Phenotype", "phenotype_group", "phenotype_on"]


PHENOTYPE_GROUPS: dict[str, str] = {
    "A": "anti-MDA5 positive [S4]",
    "B": "anti-MDA5 not positive, non-progressive [S0]",
    "C": "anti-MDA5 not positive, progressive or rapidly progressive [S0]",
    "unclassified": "ILD course not yet known",
}
"""The §4 phenotypes coordinators filter and audit by."""


def phenotype_group(anti_mda5: str, ild_course: str | None) -> str:
    """§4: A (anti-MDA5 positive), B (non-progressive), C (progressive or RP-ILD)."""
    if anti_mda5 == "positive":
        return "A"
    if ild_course == "non_progressive":
        return "B"
    if ild_course in {"progressive", "rapidly_progressive"}:
        return "C"
    return "unclassified"


@dataclass(frozen=True)
class Phenotype:
    diagnosis: str
    anti_mda5: str
    anti_ars: str
    ild_course: str | None
    flags: frozenset[str]
    weight_kg: float | None
    height_cm: float | None = None

    @property
    def mda5_positive(self) -> bool:
        return self.anti_mda5 == "positive"

    @property
    def anti_ars_positive(self) -> bool:
        return self.anti_ars == "positive"

    @property
    def rapidly_progressive(self) -> bool:
        return self.ild_course == "rapidly_progressive"

    @property
    def group(self) -> str:
        return phenotype_group(self.anti_mda5, self.ild_course)

    @property
    def has_risk_factor(self) -> bool:
        """Any [S0] risk factor for progression and recurrence (§1)."""
        return bool(self.flags & RISK_FACTORS)


def phenotype_on(record: PatientRecord, day: date) -> Phenotype:
    """The phenotype in force on ``day``; before enrolment, the one recorded at enrolment."""
    values: dict[str, object] = {}
    cutoff = max(day, record.enrolled_on)
    for entry in sorted(record.phenotype, key=lambda e: e.on):
        if entry.on <= cutoff:
            values[entry.field] = entry.value
    flags = values.get("risk_factors") or ()
    weight = values.get("weight_kg")
    height = values.get("height_cm")
    return Phenotype(
        diagnosis=str(values.get("diagnosis", "other_iim")),
        anti_mda5=str(values.get("anti_mda5", "unknown")),
        anti_ars=str(values.get("anti_ars", "unknown")),
        ild_course=None if values.get("ild_course") is None else str(values["ild_course"]),
        flags=frozenset(str(f) for f in flags),  # type: ignore[attr-defined]
        weight_kg=None if weight is None else float(weight),  # type: ignore[arg-type]
        height_cm=None if height is None else float(height),  # type: ignore[arg-type]
    )
