"""Doses with a unit and a schedule, and the arithmetic the rules need (CLINICAL_SPEC §11 Doses).

A start carries an optional dose: an amount, a unit (``mg``, ``g``, ``mg/kg``, ``g/kg``,
``mg/m2``) and a schedule (``every``). The rules judge milligrams: a weight-based dose uses the
weight in force on the dose's clinical date (a later weight does not change it), a dose per m²
the Mosteller body-surface area. Glucocorticoid exposure (§9) is judged on the daily
prednisone-equivalent, so a glucocorticoid is given every day or every 2 days only.
"""

import math
from dataclasses import dataclass
from datetime import date

from .catalogue import AgentClass, agent_class
from .errors import InvalidValue
from .phenotype import phenotype_on
from .record import PatientRecord, TherapyEvent

__all__ = [
    "GLUCOCORTICOID_SCHEDULES",
    "NO_BODY",
    "SCHEDULES",
    "UNITS",
    "UNITS_BY_CLASS",
    "Body",
    "Dose",
    "body_on",
    "check_dose_fits",
    "check_dose_form",
    "dose_from",
    "dose_of",
    "dose_shown",
    "mosteller_bsa",
]

UNITS: tuple[str, ...] = ("mg", "g", "mg/kg", "g/kg", "mg/m2")
SCHEDULES: tuple[str, ...] = ("day", "2_days", "week", "2_weeks", "4_weeks", "month", "once")

GLUCOCORTICOID_SCHEDULES: dict[str, float] = {"day": 1.0, "2_days": 0.5}
"""§11: a glucocorticoid is given every day or every 2 days (alternate days: its daily
equivalent is half the dose); the value is the share of one dose that falls on each day."""

UNITS_BY_CLASS: dict[AgentClass, tuple[str, ...]] = {
    # prednisone 1 mg/kg/day [S0]; pulses of methylprednisolone 500-1000 mg or 1 g [S0]
    AgentClass.GLUCOCORTICOID: ("mg", "g", "mg/kg"),
    # cyclosporine 3-5 mg/kg/day, tacrolimus 0.075 mg/kg/day
    AgentClass.CALCINEURIN_INHIBITOR: ("mg", "mg/kg"),
    # mycophenolate 1-1.5 g twice a day, azathioprine 2 mg/kg/day, methotrexate 15 mg weekly
    AgentClass.ANTIMETABOLITE: ("mg", "g", "mg/kg"),
    # IV cyclophosphamide 500-1000 mg/m2 (or a fixed 500 mg), oral 1.5-2 mg/kg/day
    AgentClass.ALKYLATING: ("mg", "g", "mg/kg", "mg/m2"),
    # rituximab 1 g twice, two weeks apart, or 375 mg/m2 weekly x 4
    AgentClass.ANTI_CD20: ("mg", "g", "mg/m2"),
    # IVIG 2 g/kg per course (0.4 g/kg/day x 5)
    AgentClass.IMMUNOGLOBULIN: ("mg", "g", "mg/kg", "g/kg"),
    AgentClass.JAK_INHIBITOR: ("mg",),
    # infliximab 5 mg/kg
    AgentClass.TNF_INHIBITOR: ("mg", "mg/kg"),
    # abatacept ~10 mg/kg IV, tocilizumab 8 mg/kg IV
    AgentClass.OTHER_BIOLOGIC_TO_AVOID: ("mg", "mg/kg"),
    AgentClass.ANTIFIBROTIC: ("mg",),
    # pentamidine IV 4 mg/kg; calcium 1 g
    AgentClass.SUPPORTIVE: ("mg", "g", "mg/kg"),
}
"""The units that fit each class (§11: "a unit that does not fit the agent (mg/m2 for
prednisone) is refused"): the units its usual doses are written in."""

_TO_MG = {"mg": 1.0, "g": 1000.0, "mg/kg": 1.0, "g/kg": 1000.0, "mg/m2": 1.0}


@dataclass(frozen=True)
class Body:
    """Weight and height in force on a day (§1), what a weight- or surface-based dose needs."""

    weight_kg: float | None
    height_cm: float | None

    @property
    def bsa_m2(self) -> float | None:
        if self.weight_kg is None or self.height_cm is None:
            return None
        return mosteller_bsa(self.height_cm, self.weight_kg)


NO_BODY = Body(None, None)
"""Neither weight nor height known: a dose in mg or g needs neither."""


def mosteller_bsa(height_cm: float, weight_kg: float) -> float:
    """Body-surface area in m², Mosteller: sqrt(height cm x weight kg / 3600) (§11)."""
    return math.sqrt(height_cm * weight_kg / 3600)


def body_on(record: PatientRecord, day: date) -> Body:
    """The weight and height in force on ``day``: the latest on or before it (§11)."""
    phenotype = phenotype_on(record, day)
    return Body(phenotype.weight_kg, phenotype.height_cm)


@dataclass(frozen=True)
class Dose:
    """A dose as it was written: an amount, a unit and a schedule (§11)."""

    amount: float
    unit: str
    every: str

    @classmethod
    def mg_per_day(cls, mg: float) -> "Dose":
        """``dose_mg_per_day: N`` means N mg every day (§11)."""
        return cls(mg, "mg", "day")

    @property
    def needs_body(self) -> bool:
        """Per kg or per m²: converted with the weight or height in force. A dose in mg or g
        needs neither, so the record is not read for it (an import checks hundreds of
        thousands of doses)."""
        return self.unit not in {"mg", "g"}

    def mg(self, body: Body) -> float | None:
        """Milligrams per administration after conversion; None when the weight or height it
        needs is not known."""
        factor = _TO_MG[self.unit] * self.amount
        if self.unit in {"mg/kg", "g/kg"}:
            return None if body.weight_kg is None else factor * body.weight_kg
        if self.unit == "mg/m2":
            bsa = body.bsa_m2
            return None if bsa is None else factor * bsa
        return factor

    def daily_mg(self, body: Body) -> float | None:
        """The daily equivalent of a glucocorticoid dose (day: the dose; 2_days: half); None
        for any other schedule or when the dose cannot be converted."""
        share = GLUCOCORTICOID_SCHEDULES.get(self.every)
        mg = self.mg(body)
        return None if share is None or mg is None else mg * share

    def __str__(self) -> str:
        unit = self.unit.replace("m2", "m²")
        return f"{self.amount:g} {unit} {_EVERY_WORDS[self.every]}"

    def shown(self, mg: float | None) -> str:
        """The dose as written, with its mg per administration after a conversion by weight
        or body-surface area: ``750 mg/m² every 4 weeks (1364 mg)``."""
        if mg is None or self.unit in {"mg", "g"}:
            return str(self)
        return f"{self} ({mg:.0f} mg)"


def dose_of(event: TherapyEvent) -> Dose | None:
    """The dose a start was recorded with, if any."""
    return dose_from(event.dose, event.unit, event.every)


def dose_from(amount: float | None, unit: str | None, every: str | None) -> Dose | None:
    """A stored dose (three columns, all or none) as a value."""
    if amount is None or unit is None or every is None:
        return None
    return Dose(amount, unit, every)


def dose_shown(record: PatientRecord, event: TherapyEvent) -> str:
    """A start's dose as shown wherever a dose is shown, converted with the weight and height
    in force on its date; empty when it has none."""
    dose = dose_of(event)
    return "" if dose is None else dose.shown(dose.mg(body_on(record, event.on)))


_EVERY_WORDS = {
    "day": "every day",
    "2_days": "every 2 days",
    "week": "every week",
    "2_weeks": "every 2 weeks",
    "4_weeks": "every 4 weeks",
    "month": "every month",
    "once": "once",
}


def check_dose_form(agent: str, dose: Dose) -> Dose:
    """A dose whose unit fits the agent's class and, for a glucocorticoid, whose schedule is
    every day or every 2 days (§11); what can be judged without the patient."""
    cls = agent_class(agent)
    units = UNITS_BY_CLASS[cls]
    if dose.unit not in units:
        raise InvalidValue("unit", dose.unit, f"for {agent}: " + ", ".join(units))
    if cls is AgentClass.GLUCOCORTICOID and dose.every not in GLUCOCORTICOID_SCHEDULES:
        raise InvalidValue(
            "every",
            dose.every,
            f"for {agent} (a glucocorticoid): day or 2_days (a pulse is recorded as a daily "
            "dose and its stop)",
        )
    return dose


def check_dose_fits(agent: str, dose: Dose, body: Body, limit_mg: float) -> float:
    """A dose that fits ``agent`` and the patient's body on its date: its form
    (`check_dose_form`), the weight or height it needs known, and the mg per administration
    within the agent's plausible maximum (§11). Returns those mg."""
    check_dose_form(agent, dose)
    mg = dose.mg(body)
    if mg is None:
        raise InvalidValue("unit", dose.unit, _needs(dose.unit, body))
    if mg > limit_mg:
        converted = "" if dose.unit == "mg" else f"; this dose is {mg:.0f} mg after conversion"
        raise InvalidValue(
            "dose",
            dose.amount,
            f"for {agent}: at most {limit_mg:g} mg per administration{converted}",
        )
    return mg


def _needs(unit: str, body: Body) -> str:
    """What a dose per kg or per m² lacks, worded as the spec words it."""
    missing = [
        *(["a height (height_cm)"] if unit == "mg/m2" and body.height_cm is None else []),
        *(["a weight (weight_kg)"] if body.weight_kg is None else []),
    ]
    where = "per m²" if unit == "mg/m2" else "per kg"
    return (
        f"a dose {where} needs {' and '.join(missing)} in force on its date: amend "
        "weight_kg/height_cm first, or give the dose in mg or g"
    )
