"""Every export the project produces validates with zero errors against the official FHIR R4
JSON schema (a second validator beside fhir.resources' R4B models: tests/fhir_schema.py), so
an R4 server or an EHR that checks what it receives accepts what ildpath sends."""

import json
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle

from ildpath.fhir.exporting import export_cohort, export_patient
from ildpath.scenarios import load_scenario, run_scenario
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


# -- The corpus of realistic bundles (tests/fixtures/fhir): valid as their senders write them ----

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "fhir"
BUNDLES = sorted(p for p in CORPUS.rglob("*.json") if not p.name.endswith(".expected.json"))
R4_ONLY = {"MedicinalProduct"}
"""R4 resource types that R4B dropped: valid R4, not parsed by fhir.resources' R4B models."""


def test_the_corpus_holds_every_style():
    names = {p.relative_to(CORPUS).as_posix() for p in BUNDLES}
    assert {
        "synthea_dm_ild.json",
        "epic_mda5_searchset.json",
        "epic_cmv_v1.json",
        "epic_cmv_v2.json",
        "cerner_pm_collection.json",
        "two_sites/site_a.json",
        "two_sites/site_b.json",
    } <= names


@pytest.mark.parametrize("path", BUNDLES, ids=lambda p: p.relative_to(CORPUS).as_posix())
def test_a_corpus_bundle_is_valid_r4_and_r4b_and_has_an_expected_report(path: Path):
    bundle = json.loads(path.read_text(encoding="utf-8"))

    assert errors(bundle) == []
    r4b = dict(
        bundle, entry=[e for e in bundle["entry"] if e["resource"]["resourceType"] not in R4_ONLY]
    )
    Bundle.model_validate(r4b)
    expected = json.loads(path.with_name(path.stem + ".expected.json").read_text(encoding="utf-8"))
    assert [e["index"] for e in expected["entries"]] == list(range(len(bundle["entry"])))
    for line, entry in zip(expected["entries"], bundle["entry"], strict=True):
        assert line["resource"].split("/")[0] == entry["resource"]["resourceType"]
        assert line["status"] in STATUSES and line["why"]


STATUSES = {"created", "already_imported", "unknown_code", "invalid", "not_imported", "corrected"}


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.typed.yaml")), ids=lambda p: p.name)
def test_the_typed_course_of_a_corpus_bundle_holds(path: Path):
    """The course each bundle carries, typed as a person would: the engine's judgement that the
    import must reproduce (compared by a test once the importer reads these bundles)."""
    result = run_scenario(load_scenario(path))

    assert result.passed, "\n".join(result.failures)
