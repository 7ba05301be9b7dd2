"""The patient's phenotype (CLINICAL_SPEC section 1) from the standard resources an EHR
sends: the myositis diagnosis and ILD from ``Condition``, anti-MDA5 and anti-ARS from
antibody ``Observation``s, weight and height from vital signs.

Readings, each reported in ``notes`` (docs/fhir.md, "Patient and phenotype"):

- **Diagnosis.** Conditions whose ``verificationStatus`` is ``refuted``, ``entered-in-error``
  or ``differential`` are ignored. Two different myositis diagnoses give none, with a note
  naming both: a person decides, ildpath never picks one.
- **Antibodies.** Per antigen, the latest (clinical day) ``final``/``amended``/``corrected``
  result wins; ``registered``/``preliminary`` is ``pending`` while no final result exists;
  ``entered-in-error`` and ``cancelled`` are ignored. A result is read from the coded value
  (SNOMED CT positive/negative/detected/not detected), the interpretation (POS/NEG/DET/ND),
  the string or the boolean; a number alone, or two of these that disagree, is not read.
  anti-ARS is ``positive`` if any anti-synthetase antigen is positive, ``pending`` if none is
  and one is pending, ``negative`` only when every antigen reported is negative.
- **Weight, height.** The latest final vital sign, converted from its UCUM unit.

The ILD course is never read: no standard resource says it; it stays for a person.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .codes import SNOMED
from .events import Reading
from .phenotype_codes import ANTIBODIES, antibody_of, diagnosis_of, vital_in, vital_of
from .values import Skip, clinical_day, codings, unit_of

__all__ = ["PhenotypeReading", "label", "read_phenotype"]

FINAL = frozenset({"final", "amended", "corrected"})
PENDING = frozenset({"registered", "preliminary"})
IGNORED_VERIFICATION = frozenset({"refuted", "entered-in-error", "differential"})
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
VALUE_CODES = {
    "10828004": "positive",  # Positive (qualifier value)
    "260385009": "negative",  # Negative (qualifier value)
    "260373001": "positive",  # Detected (qualifier value)
    "260415000": "negative",  # Not detected (qualifier value)
}
INTERPRETATIONS = {"POS": "positive", "DET": "positive", "NEG": "negative", "ND": "negative"}
WORDS = {
    "positive": "positive",
    "detected": "positive",
    "negative": "negative",
    "not detected": "negative",
}
ARS_TARGETS = ("jo1", "pl7", "pl12", "ej", "oj")


@dataclass(frozen=True)
class PhenotypeReading:
    """What the related resources say of the phenotype. ``used`` are the resources read
    (the importer reports them as part of the enrolment), ``notes`` say what was read from
    which resource, ``missing`` the fields a person must complete."""

    diagnosis: str | None = None
    anti_mda5: str = "unknown"
    anti_ars: str = "unknown"
    ild: bool = False
    weight_kg: float | None = None
    height_cm: float | None = None
    used: tuple[Any, ...] = ()
    notes: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()


def label(resource: Any) -> str:
    """``Type/id`` of a resource, as the report names it."""
    return f"{resource.get_resource_type()}/{resource.id or '(no id)'}"


def _type(resource: Any) -> str:
    return str(resource.get_resource_type())


def _code_text(system: str | None, code: str | None) -> str:
    names = {
        SNOMED: "SNOMED CT",
        "http://hl7.org/fhir/sid/icd-10-cm": "ICD-10-CM",
        "http://loinc.org": "LOINC",
    }
    return f"{names.get(system or '', system or '?')} {code}"


# -- conditions ---------------------------------------------------------------------------


def _verification(condition: Any) -> str | None:
    concept = condition.verificationStatus
    return next((c for _, c in codings(concept) if c), None) if concept else None


@dataclass
class _Found:
    used: list[Any] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def use(self, resource: Any) -> None:
        if not any(r is resource for r in self.used):
            self.used.append(resource)


def _conditions(
    conditions: Iterable[Any], reading: Reading, found: _Found
) -> tuple[str | None, bool]:
    diagnoses: dict[str, list[str]] = {}
    unspecified: list[str] = []
    ild = False
    for condition in conditions:
        meanings = [
            (m, s, c)
            for s, c in codings(condition.code)
            if (m := diagnosis_of(s, c, reading.local_codes))
        ]
        if not meanings:
            continue
        found.use(condition)
        status = _verification(condition)
        if status in IGNORED_VERIFICATION:
            found.notes.append(f"{label(condition)} ignored: verificationStatus {status}")
            continue
        for meaning, system, code in meanings:
            where = f"{label(condition)} ({_code_text(system, code)})"
            if meaning == "ild":
                ild = True
                found.notes.append(f"ILD from {where}")
            elif meaning == "myositis_unspecified":
                unspecified.append(where)
            else:
                diagnoses.setdefault(meaning, []).append(where)
    if len(diagnoses) > 1:
        named = "; ".join(f"{d} from {', '.join(w)}" for d, w in sorted(diagnoses.items()))
        found.notes.append(f"diagnosis not read: two diagnoses ({named}); a person decides")
        return None, ild
    if diagnoses:
        ((diagnosis, sources),) = diagnoses.items()
        found.notes.append(f"diagnosis {diagnosis} from {', '.join(sources)}")
        return diagnosis, ild
    for where in unspecified:
        found.notes.append(
            f"diagnosis not read: {where} says myositis without saying which; a person decides"
        )
    return None, ild


# -- antibodies ---------------------------------------------------------------------------


def _day(observation: Any, reading: Reading) -> date | None:
    period = observation.effectivePeriod
    when = (
        observation.effectiveDateTime
        or (period.start if period else None)
        or observation.effectiveInstant
        or observation.issued
    )
    try:
        return clinical_day(when, "Observation.effective", reading.zone)
    except Skip:
        return None


def _result(part: Any) -> tuple[str | None, str]:
    """The result an Observation (or a component) states, or None with why not."""
    said: set[str] = set()
    value = part.valueCodeableConcept
    for system, code in codings(value):
        if system == SNOMED and code in VALUE_CODES:
            said.add(VALUE_CODES[code])
    for concept in part.interpretation or []:
        for system, code in codings(concept):
            if system == INTERPRETATION and code in INTERPRETATIONS:
                said.add(INTERPRETATIONS[code])
    text = getattr(part, "valueString", None)
    if isinstance(text, str) and text.strip().lower() in WORDS:
        said.add(WORDS[text.strip().lower()])
    flag = getattr(part, "valueBoolean", None)
    if isinstance(flag, bool):
        said.add("positive" if flag else "negative")
    if len(said) > 1:
        return None, "its value and interpretation disagree"
    if not said:
        return None, "no positive/negative result (a value alone is not read)"
    return said.pop(), ""


@dataclass(frozen=True)
class _Result:
    antibody: str
    target: str
    status: str  # positive, negative, pending
    day: date | None
    where: str


def _parts(observation: Any) -> list[tuple[Any, Any]]:
    """(coded part, part holding the value): the observation and each component."""
    return [(observation.code, observation)] + [
        (component.code, component) for component in observation.component or []
    ]


def _antibody_results(
    observations: Iterable[Any], reading: Reading, found: _Found
) -> list[_Result]:
    results: list[_Result] = []
    for observation in observations:
        for code, part in _parts(observation):
            matches = [
                (a, s, c) for s, c in codings(code) if (a := antibody_of(s, c, reading.local_codes))
            ]
            if not matches:
                continue
            antibody, system, number = matches[0]
            found.use(observation)
            where = f"{label(observation)} ({_code_text(system, number)})"
            status = observation.status
            if status in PENDING:
                results.append(_Result(antibody.antibody, antibody.target, "pending", None, where))
                found.notes.append(f"{antibody.antibody} pending: {where} is {status}")
                continue
            if status not in FINAL:
                found.notes.append(f"{where} ignored: status {status}")
                continue
            value, why = _result(part)
            if value is None:
                found.notes.append(f"{where} not read: {why}")
                continue
            day = _day(observation, reading)
            results.append(_Result(antibody.antibody, antibody.target, value, day, where))
    return results


def _per_target(results: Sequence[_Result], found: _Found) -> dict[str, _Result | None]:
    """Each target's standing result: the latest final one (None when the latest day's
    finals disagree), else pending."""
    standing: dict[str, _Result | None] = {}
    for target in dict.fromkeys(r.target for r in results):
        mine = [r for r in results if r.target == target]
        finals = [r for r in mine if r.status != "pending"]
        if not finals:
            standing[target] = mine[0]
            continue
        latest = max((r.day or date.min) for r in finals)
        last = [r for r in finals if (r.day or date.min) == latest]
        if len({r.status for r in last}) > 1:
            named = ", ".join(f"{r.status} ({r.where})" for r in last)
            found.notes.append(f"{target} not read: results of the same day disagree: {named}")
            standing[target] = None
            continue
        standing[target] = last[-1]
    return standing


def _antibody_status(
    antibody: str, standing: dict[str, _Result | None], results: Sequence[_Result], found: _Found
) -> str:
    mine = {
        t: r
        for t, r in standing.items()
        if any(x.target == t for x in results if x.antibody == antibody)
    }
    if not mine:
        return "unknown"
    statuses = [r.status if r else "unknown" for r in mine.values()]
    if "positive" in statuses:
        status = "positive"
    elif "pending" in statuses:
        status = "pending"
    elif all(s == "negative" for s in statuses):
        status = "negative"
    else:
        status = "unknown"
    read = ", ".join(f"{r.status} from {r.where}" for r in mine.values() if r)
    found.notes.append(f"{antibody} {status}" + (f" ({read})" if read else ""))
    if antibody == "anti_ars" and status == "negative":
        untested = [t for t in ARS_TARGETS if t not in mine]
        if untested:
            found.notes.append(
                f"anti_ars negative on what was tested; not tested: {', '.join(untested)}"
            )
    return status


# -- vital signs --------------------------------------------------------------------------


def _vitals(
    observations: Iterable[Any], reading: Reading, found: _Found
) -> dict[str, float | None]:
    latest: dict[str, tuple[date, float, str]] = {}
    for observation in observations:
        codes = [(s, c) for s, c in codings(observation.code) if vital_of(s, c)]
        if not codes:
            continue
        found.use(observation)
        system, code = codes[0]
        where = f"{label(observation)} ({_code_text(system, code)})"
        if observation.status not in FINAL:
            found.notes.append(f"{where} ignored: status {observation.status}")
            continue
        quantity = observation.valueQuantity
        unit = unit_of(quantity)
        vital = vital_in(system, code, unit)
        if vital is None or quantity is None or quantity.value is None:
            found.notes.append(f"{where} not read: unit {unit!r} or value missing")
            continue
        day = _day(observation, reading)
        if day is None:
            found.notes.append(f"{where} not read: no clinical date")
            continue
        value = round(float(quantity.value) * vital.factor, 1)
        note = f"{vital.field} {value} from {where}" + (
            f" ({quantity.value} {unit})" if vital.factor != 1 else ""
        )
        if vital.field not in latest or day >= latest[vital.field][0]:
            latest[vital.field] = (day, value, note)
    for _, _, note in latest.values():
        found.notes.append(note)
    return {
        name: latest[name][1] if name in latest else None for name in ("weight_kg", "height_cm")
    }


def read_phenotype(patient: Any, related: Sequence[Any], reading: Reading) -> PhenotypeReading:
    """The phenotype ``related`` (this patient's Conditions and Observations, as fhir.resources
    models) says; ``patient`` is the Patient they are about (its notes name it)."""
    del patient  # the importer already chose the resources about this patient
    found = _Found()
    conditions = [r for r in related if _type(r) == "Condition"]
    observations = [r for r in related if _type(r) == "Observation"]
    diagnosis, ild = _conditions(conditions, reading, found)
    results = _antibody_results(observations, reading, found)
    standing = _per_target(results, found)
    statuses = {a: _antibody_status(a, standing, results, found) for a in ANTIBODIES}
    vitals = _vitals(observations, reading, found)
    missing = ["ild_course"]
    missing += [] if diagnosis else ["diagnosis"]
    missing += [a for a in ANTIBODIES if statuses[a] == "unknown"]
    missing += [name for name, value in vitals.items() if value is None]
    return PhenotypeReading(
        diagnosis=diagnosis,
        anti_mda5=statuses["anti_mda5"],
        anti_ars=statuses["anti_ars"],
        ild=ild,
        weight_kg=vitals["weight_kg"],
        height_cm=vitals["height_cm"],
        used=tuple(found.used),
        notes=tuple(found.notes),
        missing=tuple(missing),
    )
