"""FHIR Patient <-> an enrolment: the phenotype CLINICAL_SPEC §1 needs rides on Patient
extensions ildpath defines, since FHIR Patient has no myositis diagnosis or antibody status.

Extensions (``https://ildpath.example/fhir/StructureDefinition/<name>``, synthetic,
``docs/fhir.md``): ``myositis-diagnosis`` (valueCode, required), ``anti-mda5`` and
``anti-ars`` (valueCode; absent = ``unknown``, as the command line's default),
``ild-course`` (valueCode), ``phenotype-flag`` (valueCode, repeated), ``body-weight``
(valueQuantity in kg) and ``enrolled-on`` (valueDate; absent = the day of the import, as the
command line's default). A Patient without a diagnosis is not importable; nothing is guessed.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..usecases import EnrolPatient
from .codes import ILDPATH, extension_url
from .values import Skip, quantity_in

__all__ = [
    "PATIENT_ID_SYSTEM",
    "PHENOTYPE_EXTENSIONS",
    "patient_extensions",
    "patient_id",
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


def patient_id(resource: Any) -> str:
    """ildpath's id of the patient: the identifier in ``PATIENT_ID_SYSTEM``, else the
    resource id."""
    for identifier in resource.identifier or []:
        if identifier.system == PATIENT_ID_SYSTEM and identifier.value:
            return str(identifier.value)
    if resource.id:
        return str(resource.id)
    raise Skip(
        "invalid",
        f"Patient: no id; give Patient.id or an identifier with system {PATIENT_ID_SYSTEM}",
    )


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
    """What a Patient (and the resources about it) tells: the enrolment, the related
    resources read into it, notes of what was read, the fields a person must complete, and
    the sending system's identifiers of the patient."""

    command: EnrolPatient
    used: list[Any] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    identifiers: list[tuple[str, str, str | None]] = field(default_factory=list)


def _identifiers(resource: Any) -> list[tuple[str, str, str | None]]:
    found = []
    for identifier in resource.identifier or []:
        if identifier.system and identifier.value and identifier.system != PATIENT_ID_SYSTEM:
            codes = [c.code for c in (identifier.type.coding or [])] if identifier.type else []
            found.append(
                (str(identifier.system), str(identifier.value), codes[0] if codes else None)
            )
    return found


def read_patient(resource: Any, related: list[Any], reading: Any, today: date) -> PatientReading:
    command = _enrolment(resource, today)
    missing = [] if command.ild_course else ["ild_course"]
    return PatientReading(command, [], [], missing, _identifiers(resource))


def _enrolment(resource: Any, today: date) -> EnrolPatient:
    """The enrolment a Patient describes; the use case checks every value (§1, §11)."""
    external_id = patient_id(resource)
    found = _extensions(resource)
    diagnosis = _code(found, "myositis-diagnosis")
    if diagnosis is None:
        raise Skip(
            "not_imported",
            f"not importable: missing diagnosis (extension "
            f"{PHENOTYPE_EXTENSIONS['myositis-diagnosis']})",
        )
    if not isinstance(resource.birthDate, date):
        raise Skip("invalid", f"Patient.birthDate: {resource.birthDate!s}; a full date is needed")
    enrolled = found.get(PHENOTYPE_EXTENSIONS["enrolled-on"], [])
    weight = found.get(PHENOTYPE_EXTENSIONS["body-weight"], [])
    height = found.get(PHENOTYPE_EXTENSIONS["body-height"], [])
    flags = found.get(PHENOTYPE_EXTENSIONS["phenotype-flag"], [])
    return EnrolPatient(
        id=external_id,
        sex=str(resource.gender or "unknown"),
        birth_date=resource.birthDate,
        enrolled_on=enrolled[0].valueDate if enrolled and enrolled[0].valueDate else today,
        diagnosis=diagnosis,
        anti_mda5=_code(found, "anti-mda5") or "unknown",
        anti_ars=_code(found, "anti-ars") or "unknown",
        ild_course=_code(found, "ild-course"),
        risk_factors=tuple(str(f.valueCode) for f in flags if f.valueCode),
        weight_kg=(
            quantity_in(weight[0].valueQuantity, "Patient.extension body-weight", frozenset({"kg"}))
            if weight
            else None
        ),
        height_cm=(
            quantity_in(height[0].valueQuantity, "Patient.extension body-height", frozenset({"cm"}))
            if height
            else None
        ),
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
