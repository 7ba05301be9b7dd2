"""Importing a FHIR Bundle: each resource created, already imported, unknown or invalid, with
the reason; the same resources imported again write nothing; an invalid bundle writes
nothing at all."""

import copy
from pathlib import Path

import pytest

from ildpath.fhir import import_bundle
from ildpath.fhir.report import TransactionRefused
from ildpath.usecases import patient_summary
from pathway.errors import InvalidValue
from tests.integration.apps import CLINICIAN, clinic

from .course import IMPORT_DAY, PATIENT, bundle, row_counts


@pytest.fixture
def app(tmp_path: Path):
    with clinic(f"sqlite:///{tmp_path}/clinic.db", IMPORT_DAY) as (app, _):
        yield app


def _by_label(report):
    return {line.resource: line for line in report.lines()}


def test_import_report_lists_what_was_created_and_what_is_unknown(app):
    report = import_bundle(app, bundle(), CLINICIAN)

    lines = _by_label(report)
    assert report.counts() == {
        "created": 17,
        "corrected": 0,
        "already_imported": 0,
        "unknown_code": 0,
        "invalid": 0,
        "not_imported": 4,  # in a transaction an unknown code is not imported, never failing it
    }
    assert lines["Patient FHIR-0001"].created == [f"patient {PATIENT}"]
    assert lines["Observation creatinine"].status == "not_imported"
    assert lines["Observation creatinine"].reason.startswith("unknown code:")
    assert "2160-0" in lines["Observation creatinine"].reason
    assert lines["MedicationStatement ppi"].status == "not_imported"
    assert "not in the catalogue" in lines["MedicationStatement ppi"].reason
    assert lines["Condition dx-1"].status == "not_imported"
    assert lines["Medication/prednisone"].status == "not_imported"
    fvc, dlco = lines["Observation pft-1-fvc"], lines["Observation pft-1-dlco"]
    assert fvc.created == dlco.created, "a day's PFT measures are one PFT"
    assert lines["MedicationStatement mp-pulse"].created[1].endswith("(stop)")
    assert "read as high_flow" in lines["Observation o2-2"].reason


def test_imported_course_is_entered_through_the_use_cases(app):
    import_bundle(app, bundle(), CLINICIAN)

    summary = patient_summary(app, PATIENT)
    assert summary.phenotype.anti_mda5 == "positive"
    assert {c.agent for c in summary.active_courses()} == {
        "tacrolimus",
        "cyclophosphamide",
        "prednisone",
    }
    assert {"CMV_REACTIVATION", "TRANSPLANT_REFERRAL_NEEDED"} <= summary.alert_codes()
    pfts = [o for o in summary.observations if o.kind == "pft"]
    assert [(o.fvc_pct, o.dlco_pct, o.fvc_l) for o in pfts] == [(68, 45, 2.1), (60, 40, None)]


def test_reimporting_the_same_resources_writes_nothing(app):
    import_bundle(app, bundle(), CLINICIAN)
    before = row_counts(app)

    again = import_bundle(app, bundle(), CLINICIAN)

    assert row_counts(app) == before
    assert again.counts()["created"] == 0
    assert again.counts()["already_imported"] == 17


def test_a_changed_resource_is_reported_not_applied(app):
    import_bundle(app, bundle(), CLINICIAN)
    changed = bundle()
    fvc = changed["entry"][1]["resource"]
    fvc["valueQuantity"]["value"] = 30
    before = row_counts(app)

    report = import_bundle(app, changed, CLINICIAN)

    line = _by_label(report)["Observation pft-1-fvc"]
    assert line.status == "already_imported"
    assert "changed since" in line.reason
    assert row_counts(app) == before


def test_new_resources_in_a_later_bundle_are_added_to_the_patient(app):
    import_bundle(app, bundle(), CLINICIAN)
    later = bundle()
    tmp_smx = copy.deepcopy(
        next(
            e
            for e in later["entry"]
            if e["resource"].get("identifier", [{}])[0].get("value") == "tac"
        )
    )
    tmp_smx["fullUrl"] = "urn:uuid:1c7f1bb5-0d8f-4b1e-8a43-3a6f0b8a9d01"
    tmp_smx["resource"]["identifier"][0]["value"] = "tmp-smx"
    tmp_smx["resource"]["medicationCodeableConcept"] = {
        "coding": [
            {
                "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                "code": "10831",
                "display": "sulfamethoxazole / trimethoprim",
            }
        ]
    }
    tmp_smx["resource"]["effectiveDateTime"] = "2026-11-20"
    later["entry"].append(tmp_smx)

    report = import_bundle(app, later, CLINICIAN)

    assert report.counts()["created"] == 1
    assert _by_label(report)["MedicationStatement tmp-smx"].created
    assert "pjp_prophylaxis" not in patient_summary(app, PATIENT).task_kinds("open")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (b"{not json", "bundle"),
        ({"resourceType": "Patient", "id": "x"}, "resourceType"),
        ({"resourceType": "Bundle", "type": "history"}, "Bundle.type"),
        ({"resourceType": "Bundle", "type": "batch", "entry": {"x": 1}}, "Bundle.entry"),
        ({"resourceType": "Bundle", "type": "batch", "timestamp": "soon"}, "Bundle.timestamp"),
    ],
)
def test_an_invalid_bundle_is_refused_naming_the_path_and_writes_nothing(app, data, field):
    before = row_counts(app)

    with pytest.raises(InvalidValue) as refused:
        import_bundle(app, data, CLINICIAN)

    assert refused.value.field == field
    assert row_counts(app) == before


def test_one_invalid_resource_refuses_a_whole_transaction(app):
    data = bundle()
    data["entry"][5]["resource"]["effectivePeriod"]["start"] = "2026-13-40"
    before = row_counts(app)

    with pytest.raises(TransactionRefused) as refused:
        import_bundle(app, data, CLINICIAN)

    [failing] = refused.value.failing
    assert failing.index == 5
    assert "Bundle.entry[5].resource.effectivePeriod.start" in failing.reason
    assert row_counts(app) == before


def test_in_a_batch_an_invalid_resource_is_reported_and_the_rest_imported(app):
    data = bundle()
    data["type"] = "batch"
    data["entry"][5]["resource"]["effectivePeriod"]["start"] = "2026-13-40"

    report = import_bundle(app, data, CLINICIAN)

    assert report.lines()[5].status == "invalid"
    assert "effectivePeriod.start" in report.lines()[5].reason
    assert report.counts()["created"] == 16


def test_a_resource_type_fhir_r4b_dropped_is_not_imported_and_never_refuses_a_transaction(app):
    data = bundle()
    data["entry"].append(
        {
            "fullUrl": "urn:uuid:7d1f3c0e-6b8f-4d55-9a51-0c1f6b0d2a11",
            "resource": {"resourceType": "MedicinalProduct", "id": "mp-1"},
            "request": {"method": "POST", "url": "MedicinalProduct"},
        }
    )

    report = import_bundle(app, data, CLINICIAN)

    line = report.lines()[-1]
    assert (line.resource, line.status) == ("MedicinalProduct/mp-1", "not_imported")
    assert report.counts()["created"] == 17


def test_a_patient_without_diagnosis_is_not_importable_nor_are_its_resources(app):
    data = bundle()
    patient = data["entry"][0]["resource"]
    patient["extension"] = [e for e in patient["extension"] if "diagnosis" not in e["url"]]

    report = import_bundle(app, data, CLINICIAN)

    lines = _by_label(report)
    assert lines["Patient FHIR-0001"].status == "not_imported"
    assert "missing diagnosis" in lines["Patient FHIR-0001"].reason
    assert lines["Observation pft-1-fvc"].status == "not_imported"
    assert report.counts()["created"] == 0
    assert row_counts(app)["patient"] == 0


def test_a_value_the_engine_refuses_fails_a_transaction_and_writes_nothing(app):
    data = bundle()
    data["entry"][1]["resource"]["valueQuantity"]["value"] = 250  # FVC % predicted > 200
    before = row_counts(app)

    with pytest.raises(TransactionRefused) as refused:
        import_bundle(app, data, CLINICIAN)

    failing = {o.resource: o.reason for o in refused.value.failing}
    assert set(failing) <= {
        "Observation pft-1-fvc",
        "Observation pft-1-dlco",
        "Observation pft-1-fvc-l",
    }
    assert "fvc_pct" in failing["Observation pft-1-fvc"]
    assert row_counts(app) == before


def test_in_a_batch_a_value_the_engine_refuses_is_invalid_and_the_rest_is_imported(app):
    data = bundle()
    data["type"] = "batch"
    data["entry"][1]["resource"]["valueQuantity"]["value"] = 250  # FVC % predicted > 200

    report = import_bundle(app, data, CLINICIAN)

    lines = _by_label(report)
    assert lines["Observation pft-1-fvc"].status == "invalid"
    assert "fvc_pct" in lines["Observation pft-1-fvc"].reason
    assert lines["Observation pft-2-fvc"].status == "created"


def test_a_glucocorticoid_dose_that_cannot_be_read_per_day_is_refused(app):
    data = bundle()
    data["type"] = "collection"
    dosage = data["entry"][9]["resource"]["dosageInstruction"][0]
    del dosage["timing"]["repeat"]["period"]

    report = import_bundle(app, data, CLINICIAN)

    line = _by_label(report)["MedicationRequest pred"]
    assert line.status == "invalid"
    assert "high-dose" in line.reason
