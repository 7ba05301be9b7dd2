"""FHIR over HTTP: POST /fhir imports a Bundle for those who may enrol and record (the import
report as JSON with ?report=true), refuses an invalid bundle as a 422 OperationOutcome naming
the path, and the exports answer application/fhir+json. test_fhir_http has the response
Bundles and the other errors."""

import json
from collections.abc import Iterator

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome

from tests.web import WebClinic, web_clinic

from .course import BUNDLE, IMPORT_DAY, PATIENT, row_counts

FHIR_JSON = "application/fhir+json"


def _post(clinic: WebClinic, role: str, body: bytes, media: str = FHIR_JSON, query: str = ""):
    with clinic.client(role) as client:
        return client.post(f"/fhir{query}", content=body, headers={"Content-Type": media})


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebClinic]:
    folder = tmp_path_factory.mktemp("fhir-api")
    with web_clinic(f"sqlite:///{folder}/clinic.db", IMPORT_DAY, dashboard=False) as clinic:
        yield clinic


def test_coordinator_imports_a_bundle_and_reimporting_writes_nothing(database_url):
    with web_clinic(database_url, IMPORT_DAY, dashboard=False) as clinic:
        first = _post(clinic, "coordinator", BUNDLE.read_bytes(), query="?report=true")
        counts = row_counts(clinic.app)
        again = _post(clinic, "clinician", BUNDLE.read_bytes(), "application/json", "?report=true")

        assert first.status_code == 200, first.text
        assert first.json()["counts"]["created"] == 17
        assert again.json()["counts"]["already_imported"] == 17
        assert row_counts(clinic.app) == counts


def test_auditor_may_not_import(served):
    before = row_counts(served.app)

    response = _post(served, "auditor", BUNDLE.read_bytes())

    assert response.status_code == 403
    assert response.headers["content-type"].startswith(FHIR_JSON)
    assert response.json()["issue"][0]["code"] == "forbidden"
    assert row_counts(served.app) == before


def test_invalid_bundle_is_an_operation_outcome_naming_the_path(served):
    observation = {"resourceType": "Observation", "status": "final"}
    body = {"resourceType": "Bundle", "type": "transaction", "entry": [{"resource": observation}]}
    before = row_counts(served.app)

    response = _post(served, "clinician", json.dumps(body).encode())

    assert response.status_code == 422
    outcome = OperationOutcome.model_validate(response.json())
    assert outcome.issue[1].expression == ["Bundle.entry[0].resource.code"]
    assert response.headers["content-type"].startswith(FHIR_JSON)
    assert row_counts(served.app) == before


def test_not_json_is_a_400_operation_outcome(served):
    response = _post(served, "clinician", b"{nope")

    assert response.status_code == 400
    assert response.headers["content-type"].startswith(FHIR_JSON)
    assert OperationOutcome.model_validate(response.json()).issue[0].code == "structure"


def test_exports_answer_fhir_json_and_validate(served):
    imported = _post(served, "coordinator", BUNDLE.read_bytes())
    assert Bundle.model_validate(imported.json()).type == "transaction-response"
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
    assert OperationOutcome.model_validate(missing.json()).issue[0].code == "not-found"
