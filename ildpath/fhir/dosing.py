"""The dose of a FHIR dosage as the engine takes it (CLINICAL_SPEC §11 Doses): an amount, a unit
(``mg``, ``g``, ``mg/kg``, ``g/kg``, ``mg/m2``) and a schedule (``every``: day, 2_days, week,
2_weeks, 4_weeks, month, once).

What hospitals send, read exactly:

- ``doseAndRate[0].doseQuantity`` in one of the engine's units, as written; or a count of
  tablets or capsules (UCUM ``{tbl}``, ``{cap}``, "TAB", "tablet"... or no unit at all) times
  the product's strength per tablet (from the RxNorm table, its name or the Medication's
  ingredient strength): 6 tablets of methotrexate 2.5 mg weekly are 15 mg every week;
- the schedule from ``timing.repeat`` (frequency per period) or ``timing.code`` (QD, BID, TID,
  QOD, WK...); several doses a day are summed to a daily dose (10 mg twice a day is 20 mg every
  day); a single dose (``repeat.count`` 1, no period) is ``once``;
- ``rateQuantity`` in ``mg/d`` is so many mg every day;
- any other regular dose in mg or g is read as its mean in mg per day (as before revision 2).

Anything else raises `DoseUnread` with the reason; ``medications`` decides what that means for
the agent (a glucocorticoid is refused, another agent is entered without a dose).
"""

from dataclasses import dataclass
from functools import cache
from typing import Any

from pathway.doses import UNITS

from .terminology import table
from .values import unit_of

__all__ = ["NO_PRODUCT", "DoseUnread", "Product", "daily_dose", "dose_fields"]


class DoseUnread(Exception):
    """A dose was given but cannot be read; the message says why (for the report)."""


@dataclass(frozen=True)
class Product:
    """What the medication says about one tablet or capsule: its strength in mg (None when
    unknown, a solution, or a combination) and whether it is counted in units."""

    strength_mg: float | None = None
    solid: bool = False


NO_PRODUCT = Product()

_DAYS = {"s": 1 / 86400, "min": 1 / 1440, "h": 1 / 24, "d": 1.0, "wk": 7.0}
_SCHEDULES = {
    (1.0, "d"): "day",
    (2.0, "d"): "2_days",
    (7.0, "d"): "week",
    (14.0, "d"): "2_weeks",
    (28.0, "d"): "4_weeks",
    (1.0, "wk"): "week",
    (2.0, "wk"): "2_weeks",
    (4.0, "wk"): "4_weeks",
    (1.0, "mo"): "month",
}
"""A timing of once per (period, periodUnit) that is one of the engine's schedules (§11)."""
_MG = {"mg": 1.0, "g": 1000.0}


@cache
def _count_units() -> frozenset[str]:
    return frozenset(row["unit"].lower() for row in table("dose_units"))


@cache
def _timing_codes() -> dict[str, tuple[float, float, str]]:
    return {
        row["code"]: (float(row["frequency"]), float(row["period"]), row["period_unit"])
        for row in table("timing")
    }


@dataclass(frozen=True)
class _Timing:
    frequency: float
    period: float
    unit: str

    @property
    def per_day(self) -> float | None:
        days = _DAYS.get(self.unit)
        return None if days is None else self.frequency / (self.period * days)


_ONCE = _Timing(1.0, 0.0, "once")


def _timing(dosage: Any) -> _Timing:
    timing = dosage.timing
    repeat = timing.repeat if timing is not None else None
    if repeat is not None and repeat.period is not None and repeat.periodUnit:
        return _Timing(float(repeat.frequency or 1), float(repeat.period), str(repeat.periodUnit))
    code = timing.code if timing is not None else None
    for coding in (code.coding or []) if code is not None else []:
        if coding.code in _timing_codes():
            return _Timing(*_timing_codes()[coding.code])
    if repeat is not None and repeat.count == 1 and repeat.frequency in (None, 1):
        return _ONCE
    raise DoseUnread(
        "no schedule: timing.repeat needs frequency, period and periodUnit "
        "(or timing.code QD, BID, TID, QID, QOD, WK...)"
    )


def _amount(quantity: Any, product: Product) -> tuple[float, str]:
    """(amount, unit of the engine) of a doseQuantity: as written, or tablets x strength."""
    if quantity.value is None:
        raise DoseUnread("doseQuantity has no value")
    value = float(quantity.value)
    unit = unit_of(quantity)
    if unit is not None and unit.strip() and unit.strip().lower() in UNITS:
        return value, unit.strip().lower()
    if unit is None or not unit.strip() or unit.strip().lower() in _count_units():
        counted = f"{value:g} {unit or '(no unit)'}"
        if not product.solid or product.strength_mg is None:
            raise DoseUnread(
                f"a dose of {counted} needs the strength of one tablet or capsule, "
                "which the medication does not give"
            )
        return round(value * product.strength_mg, 6), "mg"
    raise DoseUnread(f"doseQuantity unit {unit!r} is not read (mg, g, mg/kg, g/kg, mg/m2, tablets)")


def dose_fields(dosage: Any, product: Product = NO_PRODUCT) -> dict[str, object]:
    """The dose of a dosage: ``dose``, ``unit``, ``every`` (or ``dose_mg_per_day`` for a
    regular dose that fits no schedule); empty when no dose is given."""
    rates = getattr(dosage, "doseAndRate", None) or []
    if not rates:
        return {}
    given = rates[0]
    if given.rateQuantity is not None:
        if unit_of(given.rateQuantity) != "mg/d" or given.rateQuantity.value is None:
            raise DoseUnread(
                f"rateQuantity is read only in mg/d, not {unit_of(given.rateQuantity)!r}"
            )
        return {"dose": float(given.rateQuantity.value), "unit": "mg", "every": "day"}
    if given.doseQuantity is None:
        raise DoseUnread("only doseAndRate.doseQuantity or rateQuantity are read")
    amount, unit = _amount(given.doseQuantity, product)
    timing = _timing(dosage)
    if timing is _ONCE:
        return {"dose": amount, "unit": unit, "every": "once"}
    if timing.frequency == 1:
        every = _SCHEDULES.get((timing.period, timing.unit))
        if every is not None:
            return {"dose": amount, "unit": unit, "every": every}
    per_day = timing.per_day
    if per_day is not None and per_day >= 1 and per_day == int(per_day):
        return {"dose": round(amount * per_day, 6), "unit": unit, "every": "day"}
    if per_day is not None and unit in _MG:
        return {"dose_mg_per_day": round(amount * _MG[unit] * per_day, 3)}
    raise DoseUnread(
        f"{amount:g} {unit} {timing.frequency:g} per {timing.period:g} {timing.unit} "
        "fits no schedule of the engine"
    )


def daily_dose(dosage: Any, product: Product = NO_PRODUCT) -> float | None:
    """The dose in mg per day (a schedule of a day or less, or a regular dose in mg or g), or
    None when no dose is given; raises `DoseUnread` otherwise."""
    fields = dose_fields(dosage, product)
    if not fields:
        return None
    if "dose_mg_per_day" in fields:
        return float(str(fields["dose_mg_per_day"]))
    unit, every = str(fields["unit"]), str(fields["every"])
    if unit not in _MG or every not in {"day", "2_days", "week", "2_weeks", "4_weeks"}:
        raise DoseUnread(f"{fields['dose']} {unit} every {every} is not a dose per day")
    days = {"day": 1, "2_days": 2, "week": 7, "2_weeks": 14, "4_weeks": 28}[every]
    return round(float(str(fields["dose"])) * _MG[unit] / days, 3)
