"""FHIR MedicationStatement and MedicationRequest -> starts and stops of catalogue agents
(CLINICAL_SPEC §9, §11).

The agent is found by RxNorm ingredient CUI or by the exact generic name of the medication's
text or display (``codes``); a medication matching neither, or matching two agents, is
reported, never guessed. A start is the statement's ``effective`` (or its period's start) or
the request's ``boundsPeriod.start`` (else ``authoredOn``); a stop is an explicit period end,
since the engine never infers a stop (§9). A dose given once per one of the engine's schedules
(every 1 or 2 days, 1, 2 or 4 weeks, a month) in mg, g, mg/kg, g/kg or mg/m2 is read as
written (§11 Doses: ``dose``, ``unit``, ``every``); any other dose is read in mg/day: a rate in
``mg/d``, or a dose in mg or g with a timing of so many times per so many s, min, h, d or wk.
"""

from datetime import date
from typing import Any

from pathway.catalogue import AGENT_CLASS, AgentClass
from pathway.doses import UNITS

from .codes import NAME_ALIASES, ROUTE_CODES, ROUTE_NAMES, RXNORM, RXNORM_AGENTS, SNOMED, UCUM
from .events import Event, Reading
from .values import Skip, clinical_day, codings, describe, names, quantity_in

__all__ = [
    "daily_dose",
    "dose_fields",
    "read_medication_request",
    "read_medication_statement",
    "resolve_agent",
]

TAKEN = ("active", "completed", "stopped", "on-hold")
"""Statuses saying the agent was (or is being) given; intended, not-taken, cancelled, draft,
entered-in-error and unknown are not entered."""
ORDERS = ("order", "original-order", "reflex-order", "filler-order", "instance-order")
"""Request intents that are orders; a proposal or a plan is not a therapy given."""

_DAYS = {"s": 1 / 86400, "min": 1 / 1440, "h": 1 / 24, "d": 1.0, "wk": 7.0}
_MG = {"mg": 1.0, "g": 1000.0}
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


def resolve_agent(concept: Any) -> str:
    """The catalogue agent a medication concept names: RxNorm CUI or exact generic name."""
    found = {
        RXNORM_AGENTS[code]
        for system, code in codings(concept)
        if system == RXNORM and code in RXNORM_AGENTS
    }
    for name in names(concept):
        name = NAME_ALIASES.get(name, name)
        if name in AGENT_CLASS:
            found.add(name)
    if len(found) > 1:
        raise Skip("invalid", f"medication {describe(concept)} names {', '.join(sorted(found))}")
    if not found:
        raise Skip(
            "unknown_code",
            f"medication {describe(concept)} is not in the catalogue "
            "(by RxNorm ingredient CUI or exact generic name)",
        )
    return found.pop()


def _medication(resource: Any, reading: Reading) -> Any:
    if resource.medicationCodeableConcept is not None:
        return resource.medicationCodeableConcept
    reference = resource.medicationReference
    target = reading.medication(reference.reference) if reference and reference.reference else None
    if target is None:
        raise Skip("invalid", "medicationReference: not a Medication in this bundle")
    return target.code


def _route(dosage: Any) -> str | None:
    concept = getattr(dosage, "route", None)
    if concept is None:
        return None
    found = {ROUTE_CODES[c] for s, c in codings(concept) if s == SNOMED and c in ROUTE_CODES}
    found |= {ROUTE_NAMES[n] for n in names(concept) if n in ROUTE_NAMES}
    if len(found) != 1:
        status = "invalid" if found else "unknown_code"
        raise Skip(status, f"dosage.route {describe(concept)}: not one route ildpath knows")
    return found.pop()


class _DoseUnread(Exception):
    pass


def daily_dose(dosage: Any) -> float | None:
    """mg/day, or None when no dose is given; raises when a dose is given but cannot be
    read as mg/day."""
    rates = getattr(dosage, "doseAndRate", None) or []
    if not rates:
        return None
    given = rates[0]
    try:
        if given.rateQuantity is not None:
            return quantity_in(given.rateQuantity, "rate", frozenset({"mg/d"}))
        if given.doseQuantity is None:
            raise _DoseUnread("only doseQuantity or rateQuantity are read")
        unit = given.doseQuantity.code or given.doseQuantity.unit
        mg = quantity_in(given.doseQuantity, "dose", frozenset(_MG)) * _MG[str(unit)]
    except Skip as skip:
        raise _DoseUnread(skip.reason) from None
    repeat = dosage.timing.repeat if dosage.timing is not None else None
    if repeat is None or repeat.period is None or repeat.periodUnit not in _DAYS:
        raise _DoseUnread("a dose in mg needs timing.repeat period in s, min, h, d or wk")
    per_day = (repeat.frequency or 1) / (float(repeat.period) * _DAYS[repeat.periodUnit])
    return round(mg * per_day, 3)


def _as_written(dosage: Any) -> dict[str, object] | None:
    """A dose given once per one of the engine's schedules, in one of its units, as written
    (``dose``, ``unit``, ``every``); None when it is not one (read in mg/day instead)."""
    rates = getattr(dosage, "doseAndRate", None) or []
    if not rates or rates[0].doseQuantity is None or rates[0].rateQuantity is not None:
        return None
    repeat = dosage.timing.repeat if dosage.timing is not None else None
    if repeat is None or repeat.period is None or (repeat.frequency or 1) != 1:
        return None
    every = _SCHEDULES.get((float(repeat.period), str(repeat.periodUnit)))
    quantity = rates[0].doseQuantity
    unit = quantity.code if quantity.code and quantity.system in (None, UCUM) else quantity.unit
    if every is None or unit not in UNITS or quantity.value is None:
        return None
    return {"dose": float(quantity.value), "unit": unit, "every": every}


def dose_fields(dosage: Any) -> dict[str, object]:
    """The dose of a dosage as the engine takes it: as written when it fits a schedule and a
    unit of §11, else in mg/day; empty when no dose is given."""
    written = _as_written(dosage)
    if written is not None:
        return written
    daily = daily_dose(dosage)
    return {} if daily is None else {"dose_mg_per_day": daily}


def _events(agent: str, start: Any, end: Any, dosage: Any, reading: Reading) -> list[Event]:
    note = ""
    try:
        dose = dose_fields(dosage)
    except _DoseUnread as why:
        if AGENT_CLASS[agent] is AgentClass.GLUCOCORTICOID:
            raise Skip(
                "invalid", f"dose of {agent}: {why} (it decides high-dose exposure)"
            ) from None
        dose, note = {}, f"dose not read: {why}"
    values = {"agent": agent, "route": _route(dosage), **dose}
    events = [
        Event(
            clinical_day(start, "start", reading.zone),
            "therapy",
            "start",
            values,
            part="start",
            note=note,
        )
    ]
    if end is not None:
        stop: date = clinical_day(end, "end", reading.zone)
        events.append(Event(stop, "therapy", "stop", {"agent": agent}, part="stop"))
    return events


def read_medication_statement(resource: Any, reading: Reading) -> list[Event]:
    if resource.status not in TAKEN:
        raise Skip("not_imported", f"status {resource.status}: not a therapy given")
    agent = resolve_agent(_medication(resource, reading))
    period = resource.effectivePeriod
    start = resource.effectiveDateTime or (period.start if period else None)
    end = period.end if period else None
    dosage = (resource.dosage or [None])[0]
    return _events(agent, start, end, dosage, reading)


def read_medication_request(resource: Any, reading: Reading) -> list[Event]:
    if resource.status not in TAKEN:
        raise Skip("not_imported", f"status {resource.status}: not a therapy given")
    if resource.intent not in ORDERS:
        raise Skip("not_imported", f"intent {resource.intent}: not an order")
    agent = resolve_agent(_medication(resource, reading))
    dosage = (resource.dosageInstruction or [None])[0]
    repeat = dosage.timing.repeat if dosage is not None and dosage.timing else None
    bounds = repeat.boundsPeriod if repeat is not None else None
    start = (bounds.start if bounds else None) or resource.authoredOn
    end = bounds.end if bounds else None
    return _events(agent, start, end, dosage, reading)
