"""Who an imported resource is: keyed by the sending system and the patient, so two sites'
``Observation/pft-1`` are two results; the EHR's identifiers (MRN) kept, exported back on
every reference to the patient, and used to find the patient in a later bundle; one patient
id rule for every way in (CLINICAL_SPEC §11; issue: FHIR import realism)."""

import json
from datetime import date
from pathlib import Path

import pytest

from ildpath.fhir import import_bundle
from ildpath.fhir.exporting import export_patient
from ildpath.usecases import patient_summary
from tests.integration.apps import CLINICIAN, clinic

from .course import row_counts
from .sending import bundle, observation, patient

DAY = date(2026, 3, 2)
SITE_A = "https://fhir.site-a.example/r4"
SITE_B = "https://fhir.site-b.example/r4"


@pytest.fixture
def app(tmp_path: Path):
    with clinic(f"sqlite:///{tmp_path}/clinic.db", DAY) as (app, _):
        yield app


def _pft(patient_id: str, fvc: float) -> dict:
    subject = {"reference": f"Patient/{patient_id}"}
    return observation("pft-1", subject, "19872-1", fvc, "%", "2026-02-01")


def test_two_sites_with_the_same_resource_ids_are_two_patients_results(app):
    site_a = bundle("batch", SITE_A, patient("A-1"), _pft("A-1", 70))
    site_b = bundle("batch", SITE_B, patient("B-7"), _pft("B-7", 55))

    first = import_bundle(app, site_a, CLINICIAN)
    second = import_bundle(app, site_b, CLINICIAN)

    assert [line.status for line in first.lines()] == ["created", "created"]
    assert [line.status for line in second.lines()] == ["created", "created"]
    assert [o.fvc_pct for o in patient_summary(app, "B-7").observations] == [55]


def test_the_same_ids_with_urn_fullurls_are_still_told_apart_by_their_patient(app):
    site_a = bundle("transaction", "", patient("A-1"), _pft("A-1", 70))
    site_b = bundle("transaction", "", patient("B-7"), _pft("B-7", 55))

    import_bundle(app, site_a, CLINICIAN)
    report = import_bundle(app, site_b, CLINICIAN)

    assert report.counts()["created"] == 2
    assert [o.fvc_pct for o in patient_summary(app, "B-7").observations] == [55]


def test_another_sending_system_with_the_same_patient_id_is_not_merged(app):
    import_bundle(app, bundle("batch", "", patient("1"), _pft("1", 70)), CLINICIAN, source="a")
    before = row_counts(app)

    report = import_bundle(
        app, bundle("batch", "", patient("1"), _pft("1", 55)), CLINICIAN, source="b"
    )

    patient_line, pft_line = report.lines()
    assert patient_line.status == "invalid"
    assert "already enrolled" in patient_line.reason
    assert pft_line.status == "not_imported"
    assert row_counts(app) == before
    assert [o.fvc_pct for o in patient_summary(app, "1").observations] == [70]


def test_reimporting_from_the_same_source_writes_nothing(app):
    data = bundle("batch", SITE_A, patient("A-1", mrn="MRN-1"), _pft("A-1", 70))
    import_bundle(app, data, CLINICIAN, source="site-a")
    before = row_counts(app)

    again = import_bundle(app, data, CLINICIAN, source="site-a")

    assert row_counts(app) == before
    assert again.counts()["already_imported"] == 2


def test_the_mrn_is_kept_exported_on_the_care_plan_and_finds_the_patient_later(app):
    import_bundle(app, bundle("batch", SITE_A, patient("A-1", mrn="MRN-1")), CLINICIAN)
    by_mrn = {"identifier": {"system": "urn:oid:1.2.3.4.5", "value": "MRN-1"}}
    later = bundle(
        "batch",
        SITE_A,
        observation("pft-9", by_mrn, "19872-1", 61, "%", "2026-02-20"),
    )

    report = import_bundle(app, later, CLINICIAN)
    text = export_patient(app, "A-1", CLINICIAN, via="cli")

    assert [(line.status, line.patient) for line in report.lines()] == [("created", "A-1")]
    resources = {e["resource"]["resourceType"]: e["resource"] for e in json.loads(text)["entry"]}
    identifiers = {(i["system"], i["value"]) for i in resources["Patient"]["identifier"]}
    assert ("urn:oid:1.2.3.4.5", "MRN-1") in identifiers
    subject = resources["CarePlan"]["subject"]
    assert subject["identifier"]["value"] == "MRN-1"
    assert subject["identifier"]["type"]["coding"][0]["code"] == "MR"


def test_an_absolute_reference_to_a_patient_not_in_the_bundle_is_not_followed(app):
    import_bundle(app, bundle("batch", "", patient("7")), CLINICIAN)
    elsewhere = {"reference": f"{SITE_B}/Patient/7"}
    data = bundle("batch", SITE_B, observation("x", elsewhere, "19872-1", 50, "%", "2026-02-01"))

    [line] = import_bundle(app, data, CLINICIAN).lines()

    assert line.status == "invalid"
    assert "not a Patient of this bundle" in line.reason
    assert patient_summary(app, "7").observations == []


@pytest.mark.parametrize("bad_id", ["FHIR/../x", " P-1", "P-\u202e1000"])
def test_an_imported_patient_id_follows_the_one_identifier_rule(app, bad_id):
    data = bundle("batch", "", patient("ok"))
    data["entry"][0]["resource"]["identifier"] = [
        {"system": "https://ildpath.example/fhir/NamingSystem/patient-id", "value": bad_id}
    ]
    before = row_counts(app)

    [line] = import_bundle(app, data, CLINICIAN).lines()

    assert line.status == "invalid"
    assert "id" in line.reason
    assert row_counts(app) == before


def test_epic_s_mrn_typed_as_text_is_the_identifier_the_care_plan_carries(tmp_path: Path):
    corpus = Path(__file__).parents[2] / "fixtures" / "fhir"
    with clinic(f"sqlite:///{tmp_path}/clinic.db", date(2026, 12, 4)) as (app, _):
        import_bundle(app, (corpus / "epic_mda5_searchset.json").read_bytes(), CLINICIAN)
        text = export_patient(app, "eQz7bN3mJ5kV1pR8tW2xYcA3", CLINICIAN, via="cli")

    resources = {e["resource"]["resourceType"]: e["resource"] for e in json.loads(text)["entry"]}
    subject = resources["CarePlan"]["subject"]["identifier"]
    assert subject["value"] == "2038751"  # Epic's MRN (type text "MRN"), not its EPI id
    assert subject["type"]["coding"][0]["code"] == "MR"
    epic = [i for i in resources["Patient"]["identifier"] if i["value"] == "E90412"]
    assert epic[0]["type"] == {"text": "EPIC"}
