"""Small FHIR bundles as a hospital's system sends them (synthetic): a Patient with its MRN
and ildpath's phenotype extensions, and results about it, for the identity, results and
corrections tests."""

from typing import Any

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
EXT = "https://ildpath.example/fhir/StructureDefinition/"
MR = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]}


def patient(
    pid: str,
    *,
    mrn: str | None = None,
    mrn_system: str = "urn:oid:1.2.3.4.5",
    enrolled_on: str = "2026-01-05",
) -> dict:
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": pid,
        "gender": "female",
        "birthDate": "1970-05-01",
        "extension": [
            {"url": EXT + "myositis-diagnosis", "valueCode": "dermatomyositis"},
            {"url": EXT + "anti-mda5", "valueCode": "positive"},
            {"url": EXT + "ild-course", "valueCode": "progressive"},
            {"url": EXT + "enrolled-on", "valueDate": enrolled_on},
        ],
    }
    if mrn:
        resource["identifier"] = [{"type": MR, "system": mrn_system, "value": mrn}]
    return resource


def observation(
    oid: str,
    subject: dict[str, Any],
    code: str,
    value: float,
    unit: str,
    on: str,
    *,
    status: str = "final",
    comparator: str | None = None,
) -> dict[str, Any]:
    quantity: dict[str, Any] = {"value": value, "unit": unit, "system": UCUM, "code": unit}
    if comparator:
        quantity["comparator"] = comparator
    return {
        "resourceType": "Observation",
        "id": oid,
        "status": status,
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "laboratory",
                    }
                ]
            }
        ],
        "code": {"coding": [{"system": LOINC, "code": code}]},
        "subject": subject,
        "effectiveDateTime": f"{on}T09:30:00Z",
        "valueQuantity": quantity,
    }


def bundle(kind: str, base: str, *resources: dict[str, Any]) -> dict[str, Any]:
    """A bundle whose entries have absolute fullUrls under ``base`` (as Epic and Cerner
    write them); ``base`` empty: ``urn:uuid`` fullUrls from the ids, as Synthea writes."""
    entries = []
    for index, resource in enumerate(resources):
        rid = resource["id"]
        url = f"{base}/{resource['resourceType']}/{rid}" if base else f"urn:uuid:{index:08d}-{rid}"
        entry: dict[str, Any] = {"fullUrl": url, "resource": resource}
        if kind in ("transaction", "batch"):
            entry["request"] = {"method": "PUT", "url": f"{resource['resourceType']}/{rid}"}
        entries.append(entry)
    return {"resourceType": "Bundle", "type": kind, "entry": entries}
