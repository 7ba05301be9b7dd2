"""An antibody result that comes back after enrolment (anti-MDA5 pending at the first import,
positive a week later) amends the phenotype from the result's day, so the rules that depend on
it apply from then on (CLINICAL_SPEC §1: the transplant referral task opens); a result that
agrees with the record changes nothing, and a single negative antigen never undoes a positive
anti-ARS."""

from datetime import date
from pathlib import Path

import pytest

from ildpath.fhir import import_bundle
from ildpath.usecases import patient_summary
from tests.integration.apps import CLINICIAN, clinic

from .course import row_counts
from .sending import bundle

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
DAY = date(2026, 3, 2)
SUBJECT = {"reference": "Patient/P-9"}


def _patient() -> dict:
    return {
        "resourceType": "Patient",
        "id": "P-9",
        "gender": "male",
        "birthDate": "1966-02-11",
        "extension": [
            {
                "url": "https://ildpath.example/fhir/StructureDefinition/enrolled-on",
                "valueDate": "2026-02-01",
            }
        ],
    }


def _condition() -> dict:
    return {
        "resourceType": "Condition",
        "id": "dx",
        "code": {"coding": [{"system": SNOMED, "code": "396230008"}]},
        "subject": SUBJECT,
    }


def _antibody(oid: str, code: str, result: str, on: str, status: str = "final") -> dict:
    value = {"positive": "10828004", "negative": "260385009"}[result]
    resource = {
        "resourceType": "Observation",
        "id": oid,
        "status": status,
        "code": {"coding": [{"system": LOINC, "code": code}]},
        "subject": SUBJECT,
        "effectiveDateTime": f"{on}T10:00:00Z",
    }
    if status == "final":
        resource["valueCodeableConcept"] = {"coding": [{"system": SNOMED, "code": value}]}
    return resource


@pytest.fixture
def app(tmp_path: Path):
    with clinic(f"sqlite:///{tmp_path}/clinic.db", DAY) as (app, _):
        yield app


def test_an_anti_mda5_result_after_enrolment_amends_the_phenotype_from_its_day(app):
    pending = _antibody("mda5", "82424-3", "positive", "2026-02-10", status="preliminary")
    import_bundle(app, bundle("batch", "", _patient(), _condition(), pending), CLINICIAN)
    assert patient_summary(app, "P-9").patient.anti_mda5 == "pending"

    final = _antibody("mda5-final", "82424-3", "positive", "2026-02-20")
    [line] = import_bundle(app, bundle("batch", "", final), CLINICIAN).lines()

    assert line.status == "created"
    assert "anti_mda5 positive" in line.reason
    summary = patient_summary(app, "P-9")
    assert summary.patient.anti_mda5 == "positive"
    assert "transplant_referral" in summary.task_kinds("open")
    before = row_counts(app)
    [again] = import_bundle(app, bundle("batch", "", final), CLINICIAN).lines()
    assert again.status == "already_imported"
    assert row_counts(app) == before


def test_one_negative_antigen_never_undoes_a_positive_anti_ars(app):
    jo1 = _antibody("jo1", "33571-1", "positive", "2026-02-10")
    import_bundle(app, bundle("batch", "", _patient(), _condition(), jo1), CLINICIAN)
    assert patient_summary(app, "P-9").patient.anti_ars == "positive"

    pl7 = _antibody("pl7", "33772-5", "negative", "2026-02-20")
    [line] = import_bundle(app, bundle("batch", "", pl7), CLINICIAN).lines()

    assert line.status == "not_imported"
    assert "nothing to amend" in line.reason
    assert patient_summary(app, "P-9").patient.anti_ars == "positive"
