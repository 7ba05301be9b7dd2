"""FHIR over HTTP as a FHIR client sees it, on a real server: the CapabilityStatement without
signing in, a transaction answered with a transaction-response, a batch (or a collection)
with an invalid entry answered entry by entry, every error on a FHIR path an OperationOutcome
while the rest of the API keeps problem details. Every answer is validated with
fhir.resources (R4B)."""

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome

from ildpath import __version__
from tests.e2e.cli import Terminal
from tests.web import WebClinic, web_clinic

from .course import BUNDLE, IMPORT_DAY, PATIENT, bundle, row_counts

FHIR_JSON = "application/fhir+json"


def _fhir(answer: httpx.Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(FHIR_JSON)
    data: dict[str, Any] = answer.json()
    return data


def _outcome(answer: httpx.Response, status: int) -> OperationOutcome:
    data = _fhir(answer, status)
    assert data["resourceType"] == "OperationOutcome", data
    return OperationOutcome.model_validate(data)


def _post(clinic: WebClinic, role: str | None, body: Any, query: str = "") -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    with clinic.client(role) as client:
        return client.post(f"/fhir{query}", content=content, headers={"Content-Type": FHIR_JSON})


def _two_pfts(bundle_type: str, second_fvc: float) -> dict[str, Any]:
    """The course's patient and two FVC results on two days; the second one's value given."""
    course = bundle()
    patient, fvc = course["entry"][0], course["entry"][1]
    later = copy.deepcopy(fvc)
    later["fullUrl"] = "urn:uuid:9d3c2c5e-7a53-4d0e-9b8e-2f1e6f0b7a10"
    later["resource"]["identifier"][0]["value"] = "pft-3-fvc"
    later["resource"]["effectiveDateTime"] = "2026-10-20T09:30:00Z"
    later["resource"]["valueQuantity"]["value"] = second_fvc
    entries = [patient, fvc, later]
    if bundle_type not in ("transaction", "batch"):
        entries = [{k: v for k, v in e.items() if k != "request"} for e in entries]
    return {"resourceType": "Bundle", "type": bundle_type, "entry": entries}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebClinic]:
    folder = tmp_path_factory.mktemp("fhir-http")
    with web_clinic(f"sqlite:///{folder}/clinic.db", IMPORT_DAY, dashboard=False) as clinic:
        yield clinic


@pytest.fixture
def fresh(tmp_path) -> Iterator[WebClinic]:
    with web_clinic(f"sqlite:///{tmp_path}/clinic.db", IMPORT_DAY, dashboard=False) as clinic:
        yield clinic


# -- the CapabilityStatement ------------------------------------------------------------------


def test_metadata_needs_no_sign_in_and_says_what_the_server_does(served):
    with served.client() as anonymous:
        answer = anonymous.get("/fhir/metadata")

    statement = CapabilityStatement.model_validate(_fhir(answer, 200))
    assert (statement.status, statement.kind, statement.fhirVersion) == (
        "active",
        "instance",
        "4.0.1",
    )
    assert "json" in statement.format
    assert (statement.software.name, statement.software.version) == ("ildpath", __version__)
    assert "decision support" in statement.implementation.description
    assert statement.implementation.url == f"{served.url}/fhir"
    rest = statement.rest[0]
    assert rest.mode == "server"
    assert {i.code for i in rest.interaction} == {"transaction", "batch"}
    assert "Bearer" in rest.security.description
    kinds = {r.type for r in rest.resource}
    assert {"Patient", "Observation", "MedicationStatement", "Immunization"} <= kinds
    assert {"CarePlan", "Task", "DetectedIssue"} <= kinds


def test_the_rest_of_the_fhir_base_still_needs_a_token(served):
    with served.client() as anonymous:
        answer = anonymous.get("/api/fhir/cohort")

    assert _outcome(answer, 401).issue[0].code == "login"
    assert answer.headers["www-authenticate"].startswith("Bearer")


# -- errors are OperationOutcomes on FHIR paths -------------------------------------------------


@pytest.mark.parametrize(
    ("role", "method", "path", "status", "code"),
    [
        (None, "POST", "/fhir", 401, "login"),
        ("auditor", "POST", "/fhir", 403, "forbidden"),
        ("auditor", "GET", "/api/patients/NOBODY/fhir", 404, "not-found"),
        ("clinician", "GET", "/fhir/Patient/FHIR-0001", 404, "not-found"),
        ("clinician", "GET", "/fhir", 405, "not-supported"),
        ("admin", "GET", "/api/fhir/cohort", 403, "forbidden"),
    ],
)
def test_errors_on_fhir_paths_are_operation_outcomes(served, role, method, path, status, code):
    with served.client(role) as client:
        answer = client.request(method, path, content=BUNDLE.read_bytes())

    outcome = _outcome(answer, status)
    assert outcome.issue[0].severity == "error"
    assert outcome.issue[0].code == code
    assert outcome.issue[0].diagnostics


def test_an_invalid_bundle_is_a_422_outcome_naming_the_path(served):
    observation = {"resourceType": "Observation", "status": "final"}
    body = {"resourceType": "Bundle", "type": "transaction", "entry": [{"resource": observation}]}
    before = row_counts(served.app)

    outcome = _outcome(_post(served, "clinician", body), 422)

    assert outcome.issue[0].code == "processing"  # the transaction is refused whole
    assert outcome.issue[1].code == "invalid"
    assert outcome.issue[1].expression == ["Bundle.entry[0].resource.code"]
    assert row_counts(served.app) == before


def test_a_body_not_json_is_400_and_not_json_media_is_415(served):
    with served.client("clinician") as client:
        garbled = client.post("/fhir", content=b"{nope", headers={"Content-Type": FHIR_JSON})
        text = client.post("/fhir", content=b"{}", headers={"Content-Type": "text/plain"})

    assert _outcome(garbled, 400).issue[0].code == "structure"
    assert _outcome(text, 415).issue[0].code == "not-supported"


def test_other_paths_keep_problem_details(served):
    with served.client("auditor") as client:
        missing = client.get("/api/patients/NOBODY")
    with served.client() as anonymous:
        unsigned = anonymous.get("/api/patients")

    for answer, status in ((missing, 404), (unsigned, 401)):
        assert answer.status_code == status
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["status"] == status


# -- response Bundles ---------------------------------------------------------------------------


def test_a_transaction_is_answered_with_a_transaction_response(fresh):
    sent = bundle()

    answer = _post(fresh, "coordinator", sent)

    response = Bundle.model_validate(_fhir(answer, 200))
    assert response.type == "transaction-response"
    assert len(response.entry) == len(sent["entry"])
    for i, entry in enumerate(response.entry):
        issue = entry.response.outcome.issue[0]
        assert issue.expression == [f"Bundle.entry[{i}]"]
        assert issue.diagnostics
    first = response.entry[0].response
    assert (first.status, first.location) == ("201 Created", f"Patient/{PATIENT}")
    condition = response.entry[-1].response
    assert sent["entry"][-1]["resource"]["resourceType"] == "Condition"
    assert condition.status == "200 OK"
    assert condition.outcome.issue[0].severity == "warning"
    # every Observation location names an Observation of the patient's export
    locations = {e.response.location for e in response.entry if e.response.location}
    with fresh.client("auditor") as client:
        exported = Bundle.model_validate_json(client.get(f"/api/patients/{PATIENT}/fhir").text)
    exported_ids = {f"{e.resource.get_resource_type()}/{e.resource.id}" for e in exported.entry}
    assert any(place.startswith("Observation/") for place in locations)
    assert locations <= exported_ids


def test_reimporting_answers_200_duplicate_for_every_entry_and_writes_nothing(fresh):
    assert _post(fresh, "coordinator", bundle()).status_code == 200
    before = row_counts(fresh.app)

    response = Bundle.model_validate(_fhir(_post(fresh, "clinician", bundle()), 200))

    imported = [
        e.response for e in response.entry if e.response.outcome.issue[0].code == "duplicate"
    ]
    assert imported and all(r.status == "200 OK" and r.location is None for r in imported)
    assert all(e.response.status == "200 OK" for e in response.entry)
    assert row_counts(fresh.app) == before


@pytest.mark.parametrize(
    "bundle_type",
    [
        "collection",
        "batch",
    ],
)
def test_an_invalid_entry_of_a_batch_is_422_and_the_others_are_imported(fresh, bundle_type):
    answer = _post(fresh, "coordinator", _two_pfts(bundle_type, second_fvc=900))

    response = Bundle.model_validate(_fhir(answer, 200))
    assert response.type == "batch-response"
    statuses = [e.response.status for e in response.entry]
    assert statuses == ["201 Created", "201 Created", "422 Unprocessable Entity"]
    refused = response.entry[2].response
    assert refused.location is None
    issue = refused.outcome.issue[0]
    assert (issue.severity, issue.code, issue.expression) == (
        "error",
        "invalid",
        ["Bundle.entry[2]"],
    )
    assert "900" in issue.diagnostics or "fvc" in issue.diagnostics.lower()
    assert response.entry[1].response.location.startswith("Observation/obs-")


def test_a_refused_transaction_is_a_422_outcome_naming_each_failing_entry(fresh):
    before = row_counts(fresh.app)

    outcome = _outcome(_post(fresh, "coordinator", _two_pfts("transaction", 900)), 422)

    failing = [i for i in outcome.issue if i.expression]
    assert [i.expression for i in failing] == [["Bundle.entry[2]"]]
    assert failing[0].severity == "error"
    assert row_counts(fresh.app) == before


def test_the_import_report_stays_available_as_json(fresh):
    answer = _post(fresh, "coordinator", bundle(), "?report=true")

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    report = answer.json()
    assert report["bundle_type"] == "transaction"
    assert report["counts"]["created"] > 0
    assert len(report["resources"]) == len(bundle()["entry"])


def test_the_sending_system_is_passed_with_source(fresh):
    answer = _post(fresh, "coordinator", bundle(), "?source=https://ehr.example.org/fhir")

    response = Bundle.model_validate(_fhir(answer, 200))
    assert response.entry[0].response.status == "201 Created"


# -- the command line ---------------------------------------------------------------------------


def _file(folder: Path, data: dict[str, Any]) -> str:
    path = folder / "bundle.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_the_command_line_exits_1_when_nothing_could_be_imported(tmp_path):
    encounter = {
        "resourceType": "Encounter",
        "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
    }
    orphan = _two_pfts("collection", 55)["entry"][1]  # about a patient neither here nor enrolled
    sent = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": encounter}, orphan],
    }
    terminal = Terminal(tmp_path)

    table = terminal.run("fhir", "import", _file(tmp_path, sent))
    as_json = terminal.run("fhir", "import", _file(tmp_path, sent), "--json")

    assert table.returncode == 1, table.stdout + table.stderr
    assert "nothing could be imported" in table.stderr
    assert "0 created" in table.stdout
    assert as_json.returncode == 1
    assert json.loads(as_json.stdout)["counts"]["created"] == 0


def test_the_command_line_exits_0_when_something_was_imported(tmp_path):
    terminal = Terminal(tmp_path)

    done = terminal.run("fhir", "import", _file(tmp_path, _two_pfts("collection", 900)))

    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 created" in done.stdout and "1 invalid" in done.stdout


def test_the_command_line_exits_2_naming_the_entries_that_failed_a_transaction(tmp_path):
    terminal = Terminal(tmp_path)

    done = terminal.run("fhir", "import", _file(tmp_path, _two_pfts("transaction", 900)))

    assert done.returncode == 2
    assert "transaction refused" in done.stderr and "entry 2" in done.stderr
    assert terminal.run("patient", "show", PATIENT).returncode == 2


def test_the_command_line_passes_the_sending_system(tmp_path):
    terminal = Terminal(tmp_path)

    done = terminal.run(
        "fhir", "import", str(BUNDLE), "--source", "https://ehr.example.org/fhir", "--json"
    )

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["counts"]["created"] > 0
