"""What an attacker on the network tries first, over real HTTP (uvicorn on 127.0.0.1): markup
typed into a free-text field comes back as text, never as a script; a path climbing out of the
static folders finds nothing; SQL typed as a patient id is just an id that does not exist; a
deeply nested body is refused as a problem, never a server error.

docs/security.md cites these for ASVS V1.2 (injection) and V5.3 (file paths)."""

from collections.abc import Iterator

import httpx
import pytest
from sqlmodel import Session, col, func, select

from persistence.tables import PatientRow
from tests.integration.api.conftest import seeded_clinic
from tests.web import PASSWORD, PEOPLE, WebClinic

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebClinic]:
    with seeded_clinic(tmp_path_factory, "hostile") as served:
        yield served


def _session_cookie(clinic: WebClinic, role: str) -> dict[str, str]:
    answer = httpx.post(
        f"{clinic.url}/login",
        data={"username": PEOPLE[role], "password": PASSWORD},
        timeout=60,
    )
    return {"Cookie": f"ildpath_session={answer.cookies['ildpath_session']}"}


def _patients(clinic: WebClinic) -> int:
    with Session(clinic.app.engine) as session:
        return int(session.exec(select(func.count(col(PatientRow.id)))).one())


def test_markup_in_a_justification_is_shown_as_text_on_the_patients_page(
    clinic: WebClinic,
) -> None:
    with clinic.client("clinician") as api:
        alert = api.get("/api/alerts", params={"patient": "P-002"}).json()["alerts"][0]
        answer = api.post(
            f"/api/alerts/{alert['id']}/acknowledgement", json={"justification": SCRIPT}
        )
        assert answer.status_code == 201
    page = httpx.get(
        f"{clinic.url}/patients/P-002", headers=_session_cookie(clinic, "auditor"), timeout=60
    )
    assert page.status_code == 200
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
    assert "<script>alert" not in page.text and "<img src=x" not in page.text


@pytest.mark.parametrize(
    "path",
    [
        "/static/../pyproject.toml",
        "/static/%2e%2e/%2e%2e/pyproject.toml",
        "/static/..%2f..%2fsettings.py",
        "/docs/assets/../../../../etc/passwd",
        "/docs/start/%2e%2e/docs_page.py",
    ],
)
def test_a_path_climbing_out_of_a_static_folder_finds_nothing(clinic: WebClinic, path: str) -> None:
    answer = httpx.get(f"{clinic.url}{path}", timeout=60)
    assert answer.status_code == 404
    assert "root:" not in answer.text and "import" not in answer.text


def test_sql_typed_as_a_patient_id_is_an_unknown_patient_and_changes_nothing(
    clinic: WebClinic,
) -> None:
    before = _patients(clinic)
    with clinic.client("coordinator") as api:
        for attempt in ("P-001' OR '1'='1", "P-001'; DROP TABLE patient; --"):
            answer = api.get(f"/api/patients/{attempt}")
            assert answer.status_code in (404, 422), attempt
            assert answer.headers["Content-Type"] == "application/problem+json"
        listed = api.get("/api/patients", params={"q": "' OR 1=1 --"})
        assert listed.status_code == 200 and listed.json()["patients"] == []
    assert _patients(clinic) == before


def test_a_deeply_nested_body_is_a_problem_not_a_server_error(clinic: WebClinic) -> None:
    nested = "[" * 100_000 + "]" * 100_000
    with clinic.client("coordinator") as api:
        answer = api.post(
            "/api/patients",
            content=nested,
            headers={"Content-Type": "application/json"},
        )
        assert 400 <= answer.status_code < 500
        assert api.get("/api/health").status_code == 200


@pytest.mark.parametrize("folder", ["/static/", "/docs/assets/", "/docs/start/"])
def test_a_static_folder_is_not_listed(clinic: WebClinic, folder: str) -> None:
    assert httpx.get(f"{clinic.url}{folder}", timeout=60).status_code == 404


def test_trace_is_not_answered(clinic: WebClinic) -> None:
    for path in ("/", "/api/patients", "/login"):
        answer = httpx.request("TRACE", f"{clinic.url}{path}", timeout=60)
        assert answer.status_code in (404, 405), path
        assert "Authorization" not in answer.text


def test_the_accounts_listing_shows_no_password_hash_token_digest_or_session(
    clinic: WebClinic,
) -> None:
    with clinic.client("admin") as api:
        users = api.get("/api/users")
        tokens = api.get(f"/api/users/{PEOPLE['clinician']}/tokens")
    assert users.status_code == 200 and tokens.status_code == 200
    shown = (users.text + tokens.text).lower()
    for secret in ("argon2", "hmac-sha256", "password", "digest", "secret", "ildp_"):
        assert secret not in shown, secret
