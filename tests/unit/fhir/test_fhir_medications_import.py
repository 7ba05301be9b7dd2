"""Medication orders as hospitals send them, imported into a real clinic database: the course
the clinician then sees (agent, dose as the engine keeps it, route) and the report's note."""

from pathlib import Path
from typing import Any

import pytest

from ildpath.fhir import import_bundle
from ildpath.usecases import patient_summary
from tests.integration.apps import CLINICIAN, clinic
from tests.integration.fhir.course import IMPORT_DAY, PATIENT, bundle

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
ORDERS = "https://pharmacy.example.org/fhir/orders"


@pytest.fixture
def app(tmp_path: Path):
    with clinic(f"sqlite:///{tmp_path}/clinic.db", IMPORT_DAY) as (app, _):
        yield app


def _with(*resources: dict[str, Any]) -> dict[str, Any]:
    """The synthetic course's bundle with more orders for its patient."""
    course = bundle()
    patient = next(e for e in course["entry"] if e["resource"]["resourceType"] == "Patient")
    for resource in resources:
        resource["subject"] = {"reference": patient["fullUrl"]}
        kind = resource["resourceType"]
        course["entry"].append({"resource": resource, "request": {"method": "POST", "url": kind}})
    return course


def _methotrexate_with_contained_medication() -> dict[str, Any]:
    """Epic's shape: the Medication contained, 6 tablets once a week, route as free text."""
    return {
        "resourceType": "MedicationRequest",
        "identifier": [{"system": ORDERS, "value": "mtx"}],
        "status": "active",
        "intent": "order",
        "authoredOn": "2026-10-10",
        "contained": [
            {
                "resourceType": "Medication",
                "id": "med1",
                "code": {
                    "coding": [
                        {
                            "system": RXNORM,
                            "code": "105585",
                            "display": "methotrexate 2.5 MG Oral Tablet",
                        }
                    ]
                },
            }
        ],
        "medicationReference": {"reference": "#med1"},
        "dosageInstruction": [
            {
                "route": {"text": "by mouth (swallowed)"},
                "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "wk"}},
                "doseAndRate": [{"doseQuantity": {"value": 6, "system": UCUM, "code": "{tbl}"}}],
            }
        ],
    }


def _azathioprine_with_unknown_route() -> dict[str, Any]:
    return {
        "resourceType": "MedicationStatement",
        "identifier": [{"system": ORDERS, "value": "aza"}],
        "status": "active",
        "effectiveDateTime": "2026-10-12",
        "medicationCodeableConcept": {
            "coding": [
                {"system": RXNORM, "code": "197388", "display": "azathioprine 50 MG Oral Tablet"}
            ]
        },
        "dosage": [
            {
                "route": {"text": "per NG tube"},
                "timing": {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}},
                "doseAndRate": [{"doseQuantity": {"value": 1, "unit": "TAB"}}],
            }
        ],
    }


def test_six_tablets_weekly_of_a_contained_medication_is_methotrexate_15_mg_every_week(app):
    report = import_bundle(app, _with(_methotrexate_with_contained_medication()), CLINICIAN)

    line = next(x for x in report.lines() if x.resource == "MedicationRequest mtx")
    assert line.status == "created"
    courses = {c.agent: c.start for c in patient_summary(app, PATIENT).active_courses()}
    methotrexate = courses["methotrexate"]
    assert (methotrexate.dose, methotrexate.unit, methotrexate.every) == (15.0, "mg", "week")
    assert methotrexate.route == "oral"


def test_an_order_with_a_route_ildpath_cannot_read_is_entered_and_the_route_noted(app):
    report = import_bundle(app, _with(_azathioprine_with_unknown_route()), CLINICIAN)

    line = next(x for x in report.lines() if x.resource == "MedicationStatement aza")
    assert line.status == "created"
    assert "per NG tube" in line.reason
    azathioprine = {c.agent: c.start for c in patient_summary(app, PATIENT).active_courses()}[
        "azathioprine"
    ]
    assert azathioprine.route is None
    assert (azathioprine.dose, azathioprine.unit, azathioprine.every) == (100.0, "mg", "day")


def test_a_nintedanib_order_sent_by_code_alone_raises_the_antifibrotic_alert(app):
    """An EHR that sends only the RxCUI of a nintedanib capsule: read as nintedanib (the code
    proves the agent), so starting it in anti-MDA5 rapidly progressive ILD is flagged."""
    import_bundle(app, bundle(), CLINICIAN)
    assert "ANTIFIBROTIC_IN_ACUTE_RPILD" not in patient_summary(app, PATIENT).alert_codes()
    order = {
        "resourceType": "MedicationRequest",
        "identifier": [{"system": ORDERS, "value": "nint"}],
        "status": "active",
        "intent": "order",
        "authoredOn": "2026-10-12",
        "medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": "1592750"}]},
    }
    report = import_bundle(app, _with(order), CLINICIAN)

    line = next(x for x in report.lines() if x.resource == "MedicationRequest nint")
    assert line.status == "created"
    assert "nintedanib" in {c.agent for c in patient_summary(app, PATIENT).active_courses()}
    assert "ANTIFIBROTIC_IN_ACUTE_RPILD" in patient_summary(app, PATIENT).alert_codes()
