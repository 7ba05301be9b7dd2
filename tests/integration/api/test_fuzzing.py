"""Fuzzing the API from its own OpenAPI schema (schemathesis, bounded): whatever a client
sends, the answer is never a server error, and every 4xx is a problem-details body (an
OperationOutcome on the FHIR paths).

Path parameters are also drawn from real records (issue 22): the patients' ids (one written
with ``.`` and ``_``, one in other capitals than enrolled), their entries, alerts and tasks,
and a throwaway account and token, so the use cases behind each route run on real rows, not
only the 404."""

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from ildpath.accounts import add_user, issue_feed, issue_token
from ildpath.api.problems import is_fhir_path
from tests.conftest import fresh_postgres_database
from tests.integration.api.conftest import TODAY, seed
from tests.integration.apps import enrol
from tests.web import PASSWORD, WebClinic, web_clinic

EXAMPLES_PER_OPERATION = 60
"""Bounded so CI stays quick; ILDPATH_FUZZ_EXAMPLES is not needed: raise it here to dig."""


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def fuzzed_clinic(request, tmp_path_factory) -> Iterator[WebClinic]:
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('fuzz')}/clinic.db"
        else:
            server = request.getfixturevalue("postgres_server_url")
            url = stack.enter_context(fresh_postgres_database(server))
        clinic = stack.enter_context(web_clinic(url, TODAY))
        seed(clinic)
        enrol(clinic.app, "MRN_2038751.a", anti_mda5="pending", ild_course="rapidly_progressive")
        yield clinic


def real_records(clinic: WebClinic) -> list[dict[str, Any]]:
    """Path parameters naming real rows: each patient (and one in other capitals than
    enrolled, which a lookup by id does not find), an entry of each, the alerts, the tasks,
    and an account and a token of their own (deactivating or revoking them leaves the
    fuzzer's own accounts signed in)."""
    api = clinic.client("clinician")
    found: list[dict[str, Any]] = []
    for patient in ("P-001", "P-002", "MRN_2038751.a"):
        found.append({"patient_id": patient})
        picture = api.get(f"/api/patients/{patient}").json()
        entries = [line["entry"] for line in picture["timeline"] if line["entry"]]
        found += [{"patient_id": patient, "entry_id": entry} for entry in entries[:2]]
        found += [{"alert_id": alert["id"]} for alert in picture["alerts"][:2]]
        found += [{"task_id": task["id"]} for task in picture["tasks"][:2]]
    found.append({"patient_id": "p-001"})
    add_user(clinic.app, "fuzz-target", "coordinator", PASSWORD, by="system")
    issue_token(clinic.app, "fuzz-target", "fuzzed", by="system")
    tokens = clinic.client("admin").get("/api/users/fuzz-target/tokens").json()["tokens"]
    found += [{"username": "fuzz-target"}, {"token_id": tokens[0]["id"]}]
    feed = issue_feed(clinic.app, "fuzz-target", "mine", by="fuzz-target")
    found.append({"token": feed.token})  # /calendar/{token}.ics: a live calendar feed
    return found


def _check(case: schemathesis.Case, clinic: WebClinic) -> int:
    role = "admin" if "/users" in case.path or "/tokens" in case.path else "clinician"
    headers = {"Authorization": f"Bearer {clinic.tokens[role]}"}

    response = case.call(base_url=clinic.url, headers=headers)

    where = f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text}"
    assert response.status_code < 500, where
    if 400 <= response.status_code < 500 and is_fhir_path(case.path):
        assert response.headers["content-type"][0].startswith("application/fhir+json"), where
        body = response.json()
        assert body["resourceType"] == "OperationOutcome", where
        assert body["issue"][0]["severity"] == "error", where
    elif 400 <= response.status_code < 500:
        assert response.headers["content-type"][0].startswith("application/problem+json"), where
        body = response.json()
        assert body["status"] == response.status_code, where
        assert body["detail"], where
    return int(response.status_code)


def _path_parameters(operation: schemathesis.APIOperation) -> set[str]:
    return set(re.findall(r"\{([^}]+)\}", operation.path))  # "/calendar/{token}.ics" too


def _cases(
    operation: schemathesis.APIOperation, records: list[dict[str, Any]]
) -> st.SearchStrategy[schemathesis.Case]:
    """Valid and invalid requests; for a route with path parameters also valid ones on real
    records (`real_records`), so the use cases behind them run, not only the 404."""
    strategies = [operation.as_strategy(mode) for mode in GenerationMode]
    named = _path_parameters(operation)
    for record in records:
        if named and set(record) == named:
            strategies.append(
                operation.as_strategy(GenerationMode.POSITIVE, path_parameters=record)
            )
    return st.one_of(strategies)


def test_no_request_makes_the_server_fail_and_every_refusal_is_a_problem(fuzzed_clinic):
    schema = schemathesis.openapi.from_url(f"{fuzzed_clinic.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    records = real_records(fuzzed_clinic)
    unseeded = [
        o.path
        for o in operations
        if _path_parameters(o) and not any(set(r) == _path_parameters(o) for r in records)
    ]
    assert unseeded == []  # every route with path parameters reaches a real record
    seen: Counter[int] = Counter()

    for operation in operations:

        @given(case=_cases(operation, records))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def fuzz(case: schemathesis.Case) -> None:
            seen[_check(case, fuzzed_clinic)] += 1

        fuzz()

    assert {200, 201, 404, 409, 422} <= set(seen), seen  # the use cases were reached
