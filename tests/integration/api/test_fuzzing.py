"""Fuzzing the API from its own OpenAPI schema (schemathesis, bounded): whatever a client
sends, the answer is never a server error, and every 4xx is a problem-details body (an
OperationOutcome on the FHIR paths)."""

from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from ildpath.api.problems import is_fhir_path
from tests.conftest import fresh_postgres_database
from tests.integration.api.conftest import TODAY, seed
from tests.web import WebClinic, web_clinic

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
        yield clinic


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


def _cases(operation: schemathesis.APIOperation) -> st.SearchStrategy[schemathesis.Case]:
    """Valid and invalid requests; for a patient's routes also valid ones on a real patient,
    so the use cases behind them run, not only the 404."""
    strategies = [operation.as_strategy(mode) for mode in GenerationMode]
    if "{patient_id}" in operation.path:
        for patient in ("P-001", "P-002"):
            strategies.append(
                operation.as_strategy(
                    GenerationMode.POSITIVE, path_parameters={"patient_id": patient}
                )
            )
    return st.one_of(strategies)


def test_no_request_makes_the_server_fail_and_every_refusal_is_a_problem(fuzzed_clinic):
    schema = schemathesis.openapi.from_url(f"{fuzzed_clinic.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    seen: Counter[int] = Counter()

    for operation in operations:

        @given(case=_cases(operation))
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
