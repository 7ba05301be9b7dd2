"""FHIR MedicationStatement and MedicationRequest -> starts and stops of catalogue agents
(CLINICAL_SPEC §9, §11).

The medication is the resource's ``medicationCodeableConcept``, or the Medication its
``medicationReference`` points to: a Medication of the bundle or one ``contained`` in the
resource (``"#med1"``). Its agent is found (``identify``) by an RxNorm code of the table
(``rxnorm``: ingredients, clinical and branded drugs, packs), by a display or text written in
RxNorm's naming convention ("predniSONE 20 MG Oral Tablet"), or by the exact generic name; a
medication matching none, or two agents, is reported, never guessed; a table code whose display
names another ingredient is refused (the code and the display disagree).

A start is the statement's ``effective`` (or its period's start) or the request's
``boundsPeriod.start`` (else ``authoredOn``); a stop is an explicit period end, since the engine
never infers a stop (§9). The dose (``dosing``) and route (``routes``) go with the start.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from pathway.catalogue import AGENT_CLASS, AgentClass

from .codes import RXNORM, UCUM
from .dosing import NO_PRODUCT, DoseUnread, Product, daily_dose, dose_fields
from .events import Event, Reading
from .routes import read_route
from .rxnorm import agents_named, concept, ingredient_agents, parse_name
from .terminology import table
from .values import Skip, clinical_day, describe, names

__all__ = [
    "Medicine",
    "daily_dose",
    "dose_fields",
    "identify",
    "read_medication_request",
    "read_medication_statement",
    "resolve_agent",
]

TAKEN = ("active", "completed", "stopped", "on-hold")
"""Statuses saying the agent was (or is being) given; intended, not-taken, cancelled, draft,
entered-in-error and unknown are not entered."""
ORDERS = ("order", "original-order", "reflex-order", "filler-order", "instance-order")
"""Request intents that are orders; a proposal or a plan is not a therapy given."""


@dataclass(frozen=True)
class Medicine:
    """The agent a medication is, and what it says about one tablet or capsule."""

    agent: str
    product: Product = NO_PRODUCT


def _agent_by_name(name: str) -> str | None:
    """The agent an exact generic name (catalogue spelling) is, or its official synonym."""
    if name in AGENT_CLASS:
        return name
    return ingredient_agents().get(name.replace("_", " "))


def _check_display(code: str, agent: str, display: str | None) -> None:
    named = agents_named(display)
    if named and named != {agent}:
        raise Skip(
            "invalid",
            f"RxNorm {code} is {agent} but its display {display!r} names "
            f"{', '.join(sorted(named))}: the code and the display disagree",
        )


def identify(medication: Any) -> Medicine:
    """The agent a medication CodeableConcept names, with the strength of one tablet or
    capsule when the code or its name gives one."""
    evidence: list[tuple[str, Product]] = []
    for coding in getattr(medication, "coding", None) or []:
        known = concept(coding.code) if coding.system == RXNORM else None
        if known is not None:
            _check_display(known.rxcui, known.agent, coding.display)
            solid = known.dose_form.lower().split()[-1:] in (["tablet"], ["capsule"])
            evidence.append((known.agent, Product(known.strength_mg, solid)))
            if known.strength_mg is None and (drug := parse_name(coding.display)) is not None:
                # the code proves the agent, its RxNorm name the strength the table lacks
                evidence.append((drug.agent, Product(drug.strength_mg, drug.solid)))
        elif (drug := parse_name(coding.display)) is not None:
            evidence.append((drug.agent, Product(drug.strength_mg, drug.solid)))
    if (drug := parse_name(getattr(medication, "text", None))) is not None:
        evidence.append((drug.agent, Product(drug.strength_mg, drug.solid)))
    for name in names(medication):
        if (agent := _agent_by_name(name)) is not None:
            evidence.append((agent, NO_PRODUCT))
    agents = {agent for agent, _ in evidence}
    if len(agents) > 1:
        raise Skip(
            "invalid", f"medication {describe(medication)} names {', '.join(sorted(agents))}"
        )
    if not agents:
        raise Skip(
            "unknown_code",
            f"medication {describe(medication)} is not in the catalogue (by an RxNorm code of "
            "ildpath's table, an RxNorm name, or the exact generic name)",
        )
    strengths = {p for _, p in evidence if p.strength_mg is not None}
    return Medicine(agents.pop(), strengths.pop() if len(strengths) == 1 else NO_PRODUCT)


def resolve_agent(medication: Any) -> str:
    """The catalogue agent a medication CodeableConcept names (see ``identify``)."""
    return identify(medication).agent


def _count_unit(quantity: Any) -> bool:
    unit = (quantity.code if quantity.system in (None, UCUM) else None) or quantity.unit
    units = {row["unit"].lower() for row in table("dose_units")}
    return unit is not None and unit.lower() in units


def _ingredient_strength(medication: Any) -> Product:
    """Medication.ingredient[].strength of a single-ingredient tablet or capsule (a Ratio of
    mg or g per 1 tablet or capsule), else no product strength."""
    ingredients = medication.ingredient or []
    if len(ingredients) != 1 or ingredients[0].strength is None:
        return NO_PRODUCT
    numerator, denominator = ingredients[0].strength.numerator, ingredients[0].strength.denominator
    if numerator is None or numerator.value is None or denominator is None:
        return NO_PRODUCT
    unit = numerator.code if numerator.system in (None, UCUM) and numerator.code else numerator.unit
    factor = {"mg": 1.0, "g": 1000.0}.get(str(unit))
    per = float(denominator.value) if denominator.value is not None else 0.0
    if factor is None or per <= 0 or not _count_unit(denominator):
        return NO_PRODUCT
    return Product(round(float(numerator.value) * factor / per, 6), True)


def _contained(resource: Any, reference: str) -> Any:
    wanted = reference[1:]
    for item in resource.contained or []:
        if item.get_resource_type() == "Medication" and item.id == wanted:
            return item
    raise Skip("invalid", f"medicationReference {reference}: no contained Medication with that id")


def _from_medication(target: Any) -> Medicine:
    """A Medication resource: its code, else its one ingredient's item; the ingredient's
    strength when the code gives none."""
    code = target.code
    if code is None:
        items = [i.itemCodeableConcept for i in target.ingredient or [] if i.itemCodeableConcept]
        if len(items) != 1:
            raise Skip("invalid", "Medication: no code and not one ingredient to read it by")
        code = items[0]
    medicine = identify(code)
    if medicine.product.strength_mg is None:
        return Medicine(medicine.agent, _ingredient_strength(target))
    return medicine


def _medicine(resource: Any, reading: Reading) -> Medicine:
    if resource.medicationCodeableConcept is not None:
        return identify(resource.medicationCodeableConcept)
    reference = resource.medicationReference
    if reference is None or not reference.reference:
        raise Skip("invalid", "no medicationCodeableConcept or medicationReference")
    if reference.reference.startswith("#"):
        return _from_medication(_contained(resource, reference.reference))
    target = reading.medication(reference.reference)
    if target is None:
        raise Skip(
            "invalid", f"medicationReference {reference.reference}: not a Medication in this bundle"
        )
    return _from_medication(target)


def _events(medicine: Medicine, start: Any, end: Any, dosage: Any, reading: Reading) -> list[Event]:
    agent, notes = medicine.agent, []
    try:
        dose = dose_fields(dosage, medicine.product) if dosage is not None else {}
    except DoseUnread as why:
        if AGENT_CLASS[agent] is AgentClass.GLUCOCORTICOID:
            raise Skip(
                "invalid", f"dose of {agent}: {why} (it decides high-dose exposure)"
            ) from None
        dose = {}
        notes.append(f"dose not read: {why}")
    route = read_route(getattr(dosage, "route", None))
    if route.note:
        notes.append(route.note)
    values = {"agent": agent, "route": route.route, **dose}
    events = [
        Event(
            clinical_day(start, "start", reading.zone),
            "therapy",
            "start",
            values,
            part="start",
            note="; ".join(notes),
        )
    ]
    if end is not None:
        stop: date = clinical_day(end, "end", reading.zone)
        events.append(Event(stop, "therapy", "stop", {"agent": agent}, part="stop"))
    return events


def read_medication_statement(resource: Any, reading: Reading) -> list[Event]:
    if resource.status not in TAKEN:
        raise Skip("not_imported", f"status {resource.status}: not a therapy given")
    medicine = _medicine(resource, reading)
    period = resource.effectivePeriod
    start = resource.effectiveDateTime or (period.start if period else None)
    end = period.end if period else None
    dosage = (resource.dosage or [None])[0]
    return _events(medicine, start, end, dosage, reading)


def read_medication_request(resource: Any, reading: Reading) -> list[Event]:
    if resource.status not in TAKEN:
        raise Skip("not_imported", f"status {resource.status}: not a therapy given")
    if resource.intent not in ORDERS:
        raise Skip("not_imported", f"intent {resource.intent}: not an order")
    medicine = _medicine(resource, reading)
    dosage = (resource.dosageInstruction or [None])[0]
    repeat = dosage.timing.repeat if dosage is not None and dosage.timing else None
    bounds = repeat.boundsPeriod if repeat is not None else None
    start = (bounds.start if bounds else None) or resource.authoredOn
    end = bounds.end if bounds else None
    return _events(medicine, start, end, dosage, reading)
