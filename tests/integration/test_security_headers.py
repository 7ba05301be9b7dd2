"""The browser-facing protections docs/security.md claims, checked over real HTTP (uvicorn on
127.0.0.1): every answer — a patient's page, the sign-in form, the API's JSON, an error —
carries a strict Content-Security-Policy, is never framed, sniffed or cached, and sends no
Referer; the session cookie is HttpOnly, Secure and SameSite=Strict.

Why each header matters for a clinic is in docs/security.md (STRIDE table, "Information
disclosure" and "Tampering" rows)."""

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.integration.api.conftest import seeded_clinic
from tests.web import PASSWORD, PEOPLE, WebClinic


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebClinic]:
    with seeded_clinic(tmp_path_factory, "headers") as served:
        yield served


@pytest.fixture(scope="module")
def signed_in(clinic: WebClinic) -> Iterator[httpx.Client]:
    """A client holding a coordinator's dashboard session. The cookie is Secure, so httpx
    keeps it off plain http; browsers send it to 127.0.0.1, and so does this client, by hand."""
    answer = httpx.post(
        f"{clinic.url}/login",
        data={"username": PEOPLE["coordinator"], "password": PASSWORD},
        timeout=60,
    )
    assert answer.status_code == 303
    session = f"ildpath_session={answer.cookies['ildpath_session']}"
    with httpx.Client(base_url=clinic.url, timeout=60, headers={"Cookie": session}) as browser:
        assert browser.get("/").status_code == 200
        yield browser


def _directives(policy: str) -> dict[str, str]:
    pairs = (part.strip().partition(" ") for part in policy.split(";") if part.strip())
    return {name: value.strip() for name, _, value in pairs}


def _answers(clinic: WebClinic, browser: httpx.Client) -> dict[str, httpx.Response]:
    """One answer of each kind a person or a program gets."""
    api = clinic.client("coordinator")
    return {
        "patient page": browser.get("/patients/P-002"),
        "board": browser.get("/"),
        "sign-in form": httpx.get(f"{clinic.url}/login", timeout=60),
        "patient JSON": api.get("/api/patients/P-002"),
        "alerts JSON": api.get("/api/alerts"),
        "refusal without a token": httpx.get(f"{clinic.url}/api/patients", timeout=60),
        "unknown page": browser.get("/no-such-page"),
        "API docs": httpx.get(f"{clinic.url}/docs", timeout=60),
        "API docs script": httpx.get(f"{clinic.url}/docs/assets/swagger-ui-bundle.js", timeout=60),
    }


def test_every_answer_runs_only_the_sites_own_script_and_loads_no_plugin(
    clinic: WebClinic, signed_in: httpx.Client
) -> None:
    for kind, answer in _answers(clinic, signed_in).items():
        policy = _directives(answer.headers["Content-Security-Policy"])
        assert policy["default-src"] == "'self'", kind
        assert policy["script-src"] == "'self'", kind
        assert "'unsafe-inline'" not in policy["style-src"], kind
        assert policy["object-src"] == "'none'", kind
        assert policy["base-uri"] == "'none'", kind
        assert policy["form-action"] == "'self'", kind


def test_no_answer_can_be_framed_sniffed_cached_or_leak_its_address_as_a_referer(
    clinic: WebClinic, signed_in: httpx.Client
) -> None:
    for kind, answer in _answers(clinic, signed_in).items():
        assert _directives(answer.headers["Content-Security-Policy"])["frame-ancestors"] == (
            "'none'"
        ), kind
        assert answer.headers["X-Frame-Options"] == "DENY", kind
        assert answer.headers["X-Content-Type-Options"] == "nosniff", kind
        assert answer.headers["Referrer-Policy"] == "no-referrer", kind
        assert "no-store" in answer.headers["Cache-Control"], kind


def test_a_patients_page_is_shown_to_the_signed_in_person_and_not_stored_by_the_browser(
    signed_in: httpx.Client,
) -> None:
    page = signed_in.get("/patients/P-002")
    assert page.status_code == 200 and "P-002" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"


def test_the_session_cookie_is_hidden_from_scripts_sent_over_https_only_and_never_cross_site(
    clinic: WebClinic,
) -> None:
    answer = httpx.post(
        f"{clinic.url}/login",
        data={"username": PEOPLE["clinician"], "password": PASSWORD},
        timeout=60,
    )
    assert answer.status_code == 303
    set_cookie = answer.headers["Set-Cookie"]
    attributes = {part.strip().split("=")[0].lower() for part in set_cookie.split(";")}
    assert set_cookie.startswith("ildpath_session=")
    assert {"httponly", "secure", "samesite", "path"} <= attributes
    assert "samesite=strict" in set_cookie.lower()
    assert len(answer.headers.get_list("Set-Cookie")) == 1, "only the session cookie is set"


def test_a_wrong_sign_in_sets_no_cookie_and_says_no_more_than_wrong_name_or_password(
    clinic: WebClinic,
) -> None:
    for username in (PEOPLE["clinician"], "nobody-by-this-name"):
        answer = httpx.post(
            f"{clinic.url}/login",
            data={"username": username, "password": "not-the-password-at-all"},
            timeout=60,
        )
        assert answer.status_code == 401
        assert "Set-Cookie" not in answer.headers
        assert "Wrong username or password" in answer.text


def test_a_sign_in_posted_from_another_site_is_refused_and_sets_no_cookie(
    clinic: WebClinic,
) -> None:
    credentials = {"username": PEOPLE["clinician"], "password": PASSWORD}
    for planted in (
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://evil.example"},
    ):
        answer = httpx.post(f"{clinic.url}/login", data=credentials, headers=planted, timeout=60)
        assert answer.status_code == 403, planted
        assert "Set-Cookie" not in answer.headers
    own = httpx.post(
        f"{clinic.url}/login",
        data=credentials,
        headers={"Sec-Fetch-Site": "same-origin"},
        timeout=60,
    )
    assert own.status_code == 303


def test_signing_in_again_issues_a_new_session_and_ends_the_one_sent(clinic: WebClinic) -> None:
    credentials = {"username": PEOPLE["auditor"], "password": PASSWORD}
    first = httpx.post(f"{clinic.url}/login", data=credentials, timeout=60)
    old = first.cookies["ildpath_session"]
    again = httpx.post(
        f"{clinic.url}/login",
        data=credentials,
        headers={"Cookie": f"ildpath_session={old}"},
        timeout=60,
    )
    new = again.cookies["ildpath_session"]
    assert new != old
    with_old = httpx.get(f"{clinic.url}/", headers={"Cookie": f"ildpath_session={old}"})
    with_new = httpx.get(f"{clinic.url}/", headers={"Cookie": f"ildpath_session={new}"})
    assert with_old.status_code == 303 and with_old.headers["Location"].startswith("/login")
    assert with_new.status_code == 200


def test_no_other_site_is_allowed_to_read_answers_with_the_callers_credentials(
    clinic: WebClinic, signed_in: httpx.Client
) -> None:
    evil = {"Origin": "https://evil.example"}
    with clinic.client("coordinator") as api:
        answers = [
            api.get("/api/patients/P-002", headers=evil),
            api.options(
                "/api/patients",
                headers={**evil, "Access-Control-Request-Method": "POST"},
            ),
            signed_in.get("/patients/P-002", headers=evil),
        ]
    for answer in answers:
        assert "Access-Control-Allow-Origin" not in answer.headers
        assert "Access-Control-Allow-Credentials" not in answer.headers


def test_signing_out_takes_a_post_with_the_csrf_token_never_a_link(clinic: WebClinic) -> None:
    answer = httpx.post(
        f"{clinic.url}/login",
        data={"username": PEOPLE["coordinator"], "password": PASSWORD},
        timeout=60,
    )
    cookie = {"Cookie": f"ildpath_session={answer.cookies['ildpath_session']}"}
    assert httpx.get(f"{clinic.url}/logout", headers=cookie).status_code == 405
    without_token = httpx.post(f"{clinic.url}/logout", headers=cookie)
    assert without_token.status_code == 403
    assert httpx.get(f"{clinic.url}/", headers=cookie).status_code == 200


def test_the_sign_in_form_masks_the_password_and_lets_password_managers_fill_it(
    clinic: WebClinic,
) -> None:
    form = httpx.get(f"{clinic.url}/login", timeout=60).text
    assert '<input type="password" id="password" name="password"' in form
    assert 'autocomplete="current-password"' in form
    assert 'autocomplete="username"' in form
    for blocker in ("onpaste", "oncopy", 'autocomplete="off"'):
        assert blocker not in form


def test_a_download_is_an_attachment_under_a_plain_file_name(clinic: WebClinic) -> None:
    with clinic.client("coordinator") as api:
        answers = {
            "cohort CSV": api.get(
                "/api/reports/cohort", params={"from": "2026-10-01", "format": "csv"}
            ),
            "patient JSON": api.get("/api/patients/P-002/report", params={"format": "json"}),
            "tasks calendar": api.get("/api/tasks/calendar.ics"),
        }
    for kind, answer in answers.items():
        assert answer.status_code == 200, kind
        disposition = answer.headers["Content-Disposition"]
        assert re.fullmatch(r'attachment; filename="[A-Za-z0-9._-]+"', disposition), kind
    assert "P-002" in answers["patient JSON"].headers["Content-Disposition"]
