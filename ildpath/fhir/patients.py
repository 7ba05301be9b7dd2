"""FHIR Patient <-> an enrolment: the phenotype CLINICAL_SPEC §1 needs rides on Patient
extensions ildpath defines, since FHIR Patient has no myositis diagnosis or antibody status.

Extensions (``https://ildpath.example/fhir/StructureDefinition/<name>``, synthetic,
``docs/fhir.md``): ``myositis-diagnosis`` (valueCode, required), ``anti-mda5`` and
``anti-ars`` (valueCode; absent = ``unknown``, as the command line's default),
``ild-course`` (valueCode), ``phenotype-flag`` (valueCode, repeated), ``body-weight``
(valueQuantity in kg) and ``enrolled-on`` (valueDate; absent = the day of the import, as the
command line's default).

Without these extensions the phenotype is read from the standard resources about the patient
(``phenotype.read_phenotype``: Condition, antibody and vital-sign Observations); an extension,
when present, wins. A Patient with a myositis diagnosis from neither is not importable; the
ILD course is never guessed (it stays unknown and the patient needs completion).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pathway.errors import InvalidValue
from pathway.patient_identifier import PatientIdRule

from ..usecases import EnrolPatient
from .codes import ILDPATH, extension_url
from .events import Reading
from .phenotype import read_phenotype
from .phenotype_codes import DIAGNOSES
from .values import Skip, quantity_in, within_range

__all__ = [
    "PATIENT_ID_SYSTEM",
    "PHENOTYPE_EXTENSIONS",
    "PatientReading",
    "patient_extensions",
    "patient_id",
    "patient_identifiers",
    "read_patient",
]

PATIENT_ID_SYSTEM = f"{ILDPATH}/NamingSystem/patient-id"
"""The identifier system of ildpath's (pseudonymous) patient ids, on import and export."""

PHENOTYPE_EXTENSIONS = {
    name: extension_url(name)
    for name in (
        "myositis-diagnosis",
        "anti-mda5",
        "anti-ars",
        "ild-course",
        "phenotype-flag",
        "body-weight",
        "body-height",
        "enrolled-on",
    )
}


def patient_id(resource: Any, rule: PatientIdRule | None = None) -> str:
    """ildpath's id of the patient: the identifier in ``PATIENT_ID_SYSTEM``, else the
    resource id; by the clinic's id rule, a refusal naming the element it came from (an
    import is no way around the rule the other ways in apply)."""
    found = _given_id(resource)
    if found is None:
        raise Skip(
            "invalid",
            f"Patient: no id; give Patient.id or an identifier with system {PATIENT_ID_SYSTEM}",
        )
    element, value = found
    try:
        return (rule or PatientIdRule()).check(value, element)
    except InvalidValue as error:
        raise Skip("invalid", str(error)) from None


def _given_id(resource: Any) -> tuple[str, str] | None:
    """The element ildpath's id is read from, and its value."""
    for n, identifier in enumerate(resource.identifier or []):
        if identifier.system == PATIENT_ID_SYSTEM and identifier.value:
            return f"Patient.identifier[{n}].value", str(identifier.value)
    if resource.id:
        return "Patient.id", str(resource.id)
    return None


def _extensions(resource: Any) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for extension in resource.extension or []:
        found.setdefault(extension.url, []).append(extension)
    return found


def _code(found: dict[str, list[Any]], name: str) -> str | None:
    values = found.get(PHENOTYPE_EXTENSIONS[name], [])
    if len(values) > 1:
        raise Skip("invalid", f"Patient.extension {name}: given {len(values)} times, once allowed")
    return str(values[0].valueCode) if values and values[0].valueCode else None


@dataclass(frozen=True)
class PatientReading:
    """The enrolment a Patient and its related resources describe. ``used``: the related
    resources read as part of the enrolment (report them so, do not import them again);
    ``notes``: what was read from which resource; ``missing``: the fields a person must
    complete (``ild_course`` whenever no extension gives it); ``ild``: an ILD Condition was
    read; ``identifiers``: the Patient's (system, value, type code) to keep and export."""

    enrol: EnrolPatient
    used: tuple[Any, ...] = ()
    notes: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    ild: bool = False
    identifiers: list[tuple[str, str, str | None]] = field(default_factory=list)


def patient_identifiers(resource: Any) -> list[tuple[str, str, str | None]]:
    """Every identifier with a system and a value, with its type code (``MR`` for a medical
    record number) when one is given."""
    found: list[tuple[str, str, str | None]] = []
    for identifier in resource.identifier or []:
        if not identifier.system or not identifier.value:
            continue
        found.append((str(identifier.system), str(identifier.value), _type_of(identifier.type)))
    return found


_MRN_TEXTS = frozenset({"mrn", "mr", "medical record number"})


def _type_of(kind: Any) -> str | None:
    """An identifier's type: its first code (HL7 v2-0203: ``MR``, ``SS`` …), else ``MR`` for
    the texts Epic and others write for a medical record number ("MRN"), else its text."""
    if kind is None:
        return None
    codes = [str(c.code) for c in (kind.coding or []) if c.code]
    if codes:
        return codes[0][:32]
    text = str(kind.text or "").strip()
    if text.lower() in _MRN_TEXTS:
        return "MR"
    return text[:32] or None


def _diagnosis_codes() -> str:
    by_system: dict[str, list[str]] = {}
    for (system, code), meaning in DIAGNOSES.items():
        if meaning not in ("ild", "myositis_unspecified"):
            name = {"http://snomed.info/sct": "SNOMED CT"}.get(system, "ICD-10-CM")
            by_system.setdefault(name, []).append(code)
    return "; ".join(f"{system} {', '.join(codes)}" for system, codes in by_system.items())


def _quantity(found: dict[str, list[Any]], name: str, unit: str) -> float | None:
    values = found.get(PHENOTYPE_EXTENSIONS[name], [])
    if not values:
        return None
    return quantity_in(values[0].valueQuantity, f"Patient.extension {name}", frozenset({unit}))


def read_patient(
    resource: Any, related: Sequence[Any], reading: Reading, today: date
) -> PatientReading:
    """The enrolment a Patient describes: ildpath's extensions first, else what its related
    Conditions and Observations say; the use case checks every value (section 1, 11)."""
    external_id = patient_id(resource, reading.patient_ids)
    found = _extensions(resource)
    phenotype = read_phenotype(resource, related, reading)
    notes = list(phenotype.notes)
    own = {
        name: _code(found, name)
        for name in ("myositis-diagnosis", "anti-mda5", "anti-ars", "ild-course")
    }
    for name, read in (
        ("myositis-diagnosis", phenotype.diagnosis),
        ("anti-mda5", phenotype.anti_mda5),
        ("anti-ars", phenotype.anti_ars),
    ):
        if own[name] is not None and read not in (None, "unknown", own[name]):
            notes.append(f"extension {name} {own[name]} wins over {read} read from resources")
    diagnosis = own["myositis-diagnosis"] or phenotype.diagnosis
    if diagnosis is None:
        why = "; ".join(n for n in phenotype.notes if n.startswith("diagnosis")) or (
            f"no Condition coded with {_diagnosis_codes()}"
        )
        raise Skip(
            "not_imported",
            f"not importable: missing diagnosis (no extension "
            f"{PHENOTYPE_EXTENSIONS['myositis-diagnosis']}; {why})",
        )
    if not isinstance(resource.birthDate, date):
        raise Skip("invalid", f"Patient.birthDate: {resource.birthDate!s}; a full date is needed")
    within_range(resource.birthDate, "Patient.birthDate")
    enrolled = found.get(PHENOTYPE_EXTENSIONS["enrolled-on"], [])
    if enrolled and isinstance(enrolled[0].valueDate, date):
        within_range(enrolled[0].valueDate, "Patient.extension enrolled-on")
    flags = found.get(PHENOTYPE_EXTENSIONS["phenotype-flag"], [])
    weight = _quantity(found, "body-weight", "kg")
    height = _quantity(found, "body-height", "cm")
    command = EnrolPatient(
        id=external_id,
        sex=str(resource.gender or "unknown"),
        birth_date=resource.birthDate,
        enrolled_on=enrolled[0].valueDate if enrolled and enrolled[0].valueDate else today,
        diagnosis=diagnosis,
        anti_mda5=own["anti-mda5"] or phenotype.anti_mda5,
        anti_ars=own["anti-ars"] or phenotype.anti_ars,
        ild_course=own["ild-course"],
        risk_factors=tuple(str(f.valueCode) for f in flags if f.valueCode),
        weight_kg=weight if weight is not None else phenotype.weight_kg,
        height_cm=height if height is not None else phenotype.height_cm,
    )
    missing = [] if command.ild_course else ["ild_course"]
    missing += [name for name in ("anti_mda5", "anti_ars") if getattr(command, name) == "unknown"]
    missing += [name for name in ("weight_kg", "height_cm") if getattr(command, name) is None]
    return PatientReading(
        enrol=command,
        used=phenotype.used,
        notes=tuple(notes),
        missing=tuple(missing),
        ild=phenotype.ild,
        identifiers=patient_identifiers(resource),
    )


def patient_extensions(phenotype: dict[str, Any], enrolled_on: date) -> list[dict[str, Any]]:
    """The same extensions on export, so an exported Patient can be imported again."""
    url = PHENOTYPE_EXTENSIONS
    extensions: list[dict[str, Any]] = [
        {"url": url["myositis-diagnosis"], "valueCode": phenotype["diagnosis"]},
        {"url": url["anti-mda5"], "valueCode": phenotype["anti_mda5"]},
        {"url": url["anti-ars"], "valueCode": phenotype["anti_ars"]},
    ]
    if phenotype.get("ild_course"):
        extensions.append({"url": url["ild-course"], "valueCode": phenotype["ild_course"]})
    extensions += [
        {"url": url["phenotype-flag"], "valueCode": flag} for flag in phenotype["risk_factors"]
    ]
    if phenotype.get("weight_kg") is not None:
        extensions.append(
            {
                "url": url["body-weight"],
                "valueQuantity": {
                    "value": phenotype["weight_kg"],
                    "unit": "kg",
                    "system": "http://unitsofmeasure.org",
                    "code": "kg",
                },
            }
        )
    if phenotype.get("height_cm") is not None:
        extensions.append(
            {
                "url": url["body-height"],
                "valueQuantity": {
                    "value": phenotype["height_cm"],
                    "unit": "cm",
                    "system": "http://unitsofmeasure.org",
                    "code": "cm",
                },
            }
        )
    extensions.append({"url": url["enrolled-on"], "valueDate": enrolled_on.isoformat()})
    return extensions
