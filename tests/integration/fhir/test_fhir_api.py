"""FHIR over HTTP: POST /fhir imports a Bundle for those who may enrol and record, refuses an
invalid bundle as a 422 problem naming the path, and the exports answer
application/fhir+json."""

import json
from collections.abc import Iterator

import pytest
from fhir.resources.R4B.bundle import Bundle

from tests.web import WebClinic, web_clinic

from .course import BUNDLE, IMPORT_DAY, PATIENT, row_counts

FHIR_JSON = "application/fhir+json"


def _post(clinic: WebClinic, role: str, body: bytes, media: str = FHIR_JSON):
    with clinic.client(role) as client:
        return client.post("/fhir", content=body, headers={"Content-Type": media})


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebClinic]:
    folder = tmp_path_factory.mktemp("fhir-api")
    with web_clinic(f"sqlite:///{folder}/clinic.db", IMPORT_DAY, dashboard=False) as clinic:
        yield clinic


def test_coordinator_imports_a_bundle_and_reimporting_writes_nothing(database_url):
    with web_clinic(database_url, IMPORT_DAY, dashboard=False) as clinic:
        first = _post(clinic, "coordinator", BUNDLE.read_bytes())
        counts = row_counts(clinic.app)
        again = _post(clinic, "clinician", BUNDLE.read_bytes(), "application/json")

        assert first.status_code == 200, first.text
        assert first.json()["counts"]["created"] == 17
        assert again.json()["counts"]["already_imported"] == 17
        assert row_counts(clinic.app) == counts


def test_auditor_may_not_import(served):
    before = row_counts(served.app)

    response = _post(served, "auditor", BUNDLE.read_bytes())

    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    assert row_counts(served.app) == before


def test_invalid_bundle_is_a_problem_naming_the_path(served):
    observation = {"resourceType": "Observation", "status": "final"}
    body = {"resourceType": "Bundle", "type": "transaction", "entry": [{"resource": observation}]}
    before = row_counts(served.app)

    response = _post(served, "clinician", json.dumps(body).encode())

    assert response.status_code == 422
    problem = response.json()
    assert problem["field"] == "Bundle.entry[0].resource.code"
    assert response.headers["content-type"].startswith("application/problem+json")
    assert row_counts(served.app) == before


def test_not_json_is_a_problem(served):
    response = _post(served, "clinician", b"{nope")

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


def test_exports_answer_fhir_json_and_validate(served):
    assert _post(served, "coordinator", BUNDLE.read_bytes()).status_code == 200
    with served.client("auditor") as client:
        patient = client.get(f"/api/patients/{PATIENT}/fhir")
        cohort = client.get("/api/fhir/cohort")
    with served.client("admin") as client:
        refused = client.get("/api/fhir/cohort")
        missing = client.get("/api/patients/NOBODY/fhir")

    assert patient.status_code == 200
    assert patient.headers["content-type"].startswith(FHIR_JSON)
    assert Bundle.model_validate_json(patient.text).type == "collection"
    assert cohort.status_code == 200
    assert refused.status_code == 403
    assert missing.status_code == 404
