"""Revision 2's observations in FHIR (CLINICAL_SPEC §11): laboratory results, resting SpO2 and
six-minute walks exported with their LOINC codes (KL-6, which has none, in ildpath's own code
system) and UCUM units; a CMV load in the unit reported, with its comparator, so "< 35 IU/mL"
leaves as ``comparator: "<"``, and comes back in as "< 35 IU/mL", never as 35."""

import json
from datetime import date
from pathlib import Path
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from ildpath.fhir import import_bundle
from ildpath.fhir.exporting import export_patient
from ildpath.usecases import patient_summary, record_event
from tests.integration.apps import CLINICIAN, clinic, enrol

DAY = date(2026, 3, 2)
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
KL6_SYSTEM = "https://ildpath.example/fhir/CodeSystem/laboratory"


def _course(app: Any) -> None:
    enrol(app)
    for kind, body in (
        ("cmv", {"iu_per_ml": 35, "comparator": "<"}),
        ("cmv", {"copies_per_ml": 500}),
        ("lab", {"ferritin": 1800, "kl6": 1200, "ck": 240, "crp": 85}),
        ("spo2", 91),
        ("six_minute_walk", {"metres": 320, "nadir_spo2": 86}),
    ):
        record_event(app, "P-001", kind, body, DAY, CLINICIAN)


def _observations(text: str) -> dict[str, dict[str, Any]]:
    """The exported Observations by their code's text."""
    found = [e["resource"] for e in json.loads(text)["entry"]]
    return {r["code"]["text"]: r for r in found if r["resourceType"] == "Observation"}


def _codes(resource: dict[str, Any]) -> set[tuple[str, str]]:
    return {(c["system"], c["code"]) for c in resource["code"]["coding"]}


def test_new_observations_export_with_loinc_codes_units_and_the_cmv_comparator(tmp_path: Path):
    with clinic(f"sqlite:///{tmp_path}/clinic.db", DAY) as (app, _):
        _course(app)
        text = export_patient(app, "P-001", CLINICIAN, via="cli")

    Bundle.model_validate_json(text)
    found = _observations(text)
    expected = {
        "CMV DNA, IU/mL": ((LOINC, "72493-0"), 35, "[IU]/mL"),
        "CMV DNA, copies/mL": ((LOINC, "30247-1"), 500, "{copies}/mL"),
        "Ferritin": ((LOINC, "2276-4"), 1800, "ng/mL"),
        "KL-6": ((KL6_SYSTEM, "kl6"), 1200, "U/mL"),
        "Creatine kinase": ((LOINC, "2157-6"), 240, "U/L"),
        "C-reactive protein": ((LOINC, "1988-5"), 85, "mg/L"),
        "SpO2 at rest (pulse oximetry)": ((LOINC, "59408-5"), 91, "%"),
        "Six-minute walk distance": ((LOINC, "64098-7"), 320, "m"),
    }
    assert set(expected) <= set(found)
    for text_, (coding, value, unit) in expected.items():
        resource = found[text_]
        assert coding in _codes(resource), text_
        quantity = resource["valueQuantity"]
        assert (quantity["value"], quantity["system"], quantity["code"]) == (value, UCUM, unit)
    assert found["CMV DNA, IU/mL"]["valueQuantity"]["comparator"] == "<"
    assert "comparator" not in found["CMV DNA, copies/mL"]["valueQuantity"]
    assert (LOINC, "2708-6") in _codes(found["SpO2 at rest (pulse oximetry)"])
    [nadir] = found["Six-minute walk distance"]["component"]
    assert nadir["valueQuantity"]["value"] == 86 and nadir["valueQuantity"]["code"] == "%"


def test_an_exported_course_imports_with_units_and_comparators_kept(tmp_path: Path):
    with clinic(f"sqlite:///{tmp_path}/clinic.db", DAY) as (app, _):
        _course(app)
        text = export_patient(app, "P-001", CLINICIAN, via="cli")
    with clinic(f"sqlite:///{tmp_path}/empty.db", DAY) as (empty, _):
        import_bundle(empty, text, CLINICIAN)
        rows = patient_summary(empty, "P-001").observations

    said = [
        (r.kind, r.iu_per_ml, r.copies_per_ml, r.comparator, r.ferritin, r.kl6, r.ck, r.crp)
        for r in rows
        if r.kind in ("cmv", "lab")
    ]
    assert ("cmv", 35, None, "<", None, None, None, None) in said, "< 35 is never 35"
    assert ("cmv", None, 500, None, None, None, None, None) in said
    assert {r.ferritin for r in rows} >= {1800} and {r.kl6 for r in rows} >= {1200}
    assert {r.spo2 for r in rows if r.kind == "spo2"} == {91}
    [walk] = [r for r in rows if r.kind == "six_minute_walk"]
    assert (walk.metres, walk.nadir_spo2) == (320, 86)


def _bundle(observation: dict[str, Any]) -> dict[str, Any]:
    """A bundle of one Observation about P-001, already in ildpath."""
    observation = {
        "resourceType": "Observation",
        "id": "o1",
        "status": "final",
        "subject": {"reference": "Patient/P-001"},
        "effectiveDateTime": DAY.isoformat(),
        **observation,
    }
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"fullUrl": "urn:uuid:o1", "resource": observation}],
    }


def _imported(tmp_path: Path, observation: dict[str, Any]) -> tuple[str, list[Any]]:
    with clinic(f"sqlite:///{tmp_path}/clinic.db", DAY) as (app, _):
        enrol(app)
        report = import_bundle(app, _bundle(observation), CLINICIAN)
        rows = patient_summary(app, "P-001").observations
    [line] = report.lines()
    return line.status, rows


def test_a_cmv_load_in_copies_by_the_blood_code_is_kept_in_copies_with_its_comparator(tmp_path):
    status, rows = _imported(
        tmp_path,
        {
            "code": {"coding": [{"system": LOINC, "code": "29604-6"}]},
            "valueQuantity": {
                "value": 200,
                "comparator": "<=",
                "system": UCUM,
                "code": "{copies}/mL",
            },
        },
    )

    assert status == "created"
    [row] = rows
    assert (row.copies_per_ml, row.iu_per_ml, row.comparator) == (200, None, "<=")


def test_a_value_other_than_cmv_reported_beyond_a_limit_is_not_read(tmp_path):
    status, rows = _imported(
        tmp_path,
        {
            "code": {"coding": [{"system": LOINC, "code": "1988-5"}]},
            "valueQuantity": {"value": 5, "comparator": "<", "system": UCUM, "code": "mg/L"},
        },
    )

    assert status == "not_imported"
    assert rows == []
