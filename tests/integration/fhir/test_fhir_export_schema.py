"""Every export the project produces validates with zero errors against the official FHIR R4
JSON schema (a second validator beside fhir.resources' R4B models: tests/fhir_schema.py), so
an R4 server or an EHR that checks what it receives accepts what ildpath sends."""

import json
from pathlib import Path

import pytest

from ildpath.fhir.exporting import export_cohort, export_patient
from tests.fhir_schema import errors
from tests.integration.apps import CLINICIAN, clinic, enrol

from .course import IMPORT_DAY, PATIENT
from .example_bundle import EXAMPLE, prepare


@pytest.fixture
def app(tmp_path: Path):
    """The rich course: imported, an alert acknowledged, induction started, the record viewed."""
    with clinic(f"sqlite:///{tmp_path}/clinic.db", IMPORT_DAY) as (app, _):
        prepare(app)
        yield app


def test_a_patients_export_is_valid_fhir_r4(app):
    bundle = json.loads(export_patient(app, PATIENT, CLINICIAN, via="cli"))

    assert errors(bundle) == []
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert {"Patient", "CarePlan", "Task", "DetectedIssue", "AuditEvent", "Provenance"} <= kinds


def test_the_cohort_export_is_valid_fhir_r4(app):
    enrol(app, "P-002", enrolled_on=IMPORT_DAY, anti_mda5="pending", ild_course="progressive")

    bundle = json.loads(export_cohort(app, CLINICIAN, via="cli"))

    assert errors(bundle) == []
    plans = [e for e in bundle["entry"] if e["resource"]["resourceType"] == "CarePlan"]
    assert len(plans) == 2


def test_the_example_export_in_docs_is_valid_fhir_r4():
    assert errors(json.loads(EXAMPLE.read_text(encoding="utf-8"))) == []


def test_the_schema_names_the_element_and_the_fault(app):
    """The validator is not vacuous: a broken export is reported element by element."""
    bundle = json.loads(export_patient(app, PATIENT, CLINICIAN, via="cli"))
    index, patient = next(
        (i, e["resource"])
        for i, e in enumerate(bundle["entry"])
        if e["resource"]["resourceType"] == "Patient"
    )
    patient["birthDate"] = "14/03/1968"
    patient["favouriteColour"] = "blue"

    found = errors(bundle)

    where = f"Bundle.entry[{index}].resource.Patient"
    assert any(e.startswith(f"{where}.birthDate: '14/03/1968' does not match") for e in found)
    assert any(e.startswith(where) and "'favouriteColour' was unexpected" in e for e in found)
