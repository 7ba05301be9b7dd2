"""Hospital single sign-on over real HTTP: ildpath (uvicorn on 127.0.0.1) and a real OpenID
Connect provider (npm ``oidc-provider`` under Node, on localhost), the provider's login and
consent forms filled in as a browser would. The authorization code flow with PKCE signs a
person in, in the role their hospital groups map to, which follows the provider at the next
sign-in; a person without an ildpath group, a forged or replayed state, a wrong PKCE verifier
and a wrong nonce, a deactivated account and a last admin's demotion are refused and write
nothing; the password form works beside it; and the accounts chain records each account made
and role changed, still verifies, and finds an identity re-tied with SQL. On SQLite and on
PostgreSQL as the application's role (migration 0024's grants)."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from sqlmodel import select

from ildpath.accounts import add_user, deactivate_user, list_users
from ildpath.accounts.sign_on_pending import Pending, keep_pending
from ildpath.usecases.audit import verify_audit
from persistence.account_chain import AccountEventRow
from persistence.sign_on_tables import OidcIdentityRow, OidcPendingRow
from tests.oidc_provider import HospitalProvider, hospital_provider, sign_on_settings
from tests.web import PASSWORD, PEOPLE, WebClinic, free_port, web_clinic

from .tampering import tamper

CALLBACK = "/signin/oidc/callback"


@dataclass
class Hospital:
    clinic: WebClinic
    provider: HospitalProvider


@pytest.fixture
def hospital(database_url: str, tmp_path: Path) -> Iterator[Hospital]:
    """ildpath on SQLite or PostgreSQL (as the application's role), and the provider."""
    provider_port, clinic_port = free_port(), free_port()
    public = f"http://127.0.0.1:{clinic_port}"
    settings = sign_on_settings(f"http://localhost:{provider_port}", public)
    with (
        web_clinic(database_url, port=clinic_port, secure_cookies=False, **settings) as clinic,
        hospital_provider(tmp_path, provider_port, public + CALLBACK) as provider,
    ):
        yield Hospital(clinic, provider)


def _form(page: httpx.Response) -> tuple[str, dict[str, str]]:
    """The provider page's form: where it posts, and its hidden fields."""
    action = re.search(r'<form[^>]*action="([^"]+)"', page.text)
    assert action is not None, page.text
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    return action.group(1), hidden


def _follow(browser: httpx.Client, answer: httpx.Response, clinic: WebClinic) -> httpx.Response:
    """Follow redirects until ildpath's callback comes next (not fetched) or a page shows."""
    while answer.is_redirect:
        location = str(answer.next_request.url) if answer.next_request else ""
        if location.startswith(clinic.url + CALLBACK):
            return answer
        answer = browser.get(location)
    return answer


def to_callback(browser: httpx.Client, clinic: WebClinic, login: str, wanted: str = "/") -> str:
    """Start signing on at ildpath, sign in and consent at the provider: the callback URL
    the provider redirects the browser to (with the code and the state)."""
    started = browser.get(f"{clinic.url}/signin/oidc", params={"next": wanted})
    assert started.status_code == 303
    page = _follow(browser, started, clinic)
    while not page.is_redirect:
        action, fields = _form(page)
        if fields.get("prompt") == "login":
            fields.update(login=login, password="anything at all")
        page = _follow(browser, browser.post(action, data=fields), clinic)
    assert page.next_request is not None
    return str(page.next_request.url)


def sign_on(
    browser: httpx.Client, clinic: WebClinic, login: str, wanted: str = "/"
) -> httpx.Response:
    return browser.get(to_callback(browser, clinic, login, wanted))


def signed_in_as(page: httpx.Response) -> tuple[str, str] | None:
    """(username, role) the page's header shows; None on a page for nobody signed in."""
    found = re.search(
        r"Signed in as <a[^>]*><strong>([^<]+)</strong></a> <span class=\"role\">\((\w+)\)",
        page.text,
    )
    return (found.group(1), found.group(2)) if found else None


def _browser() -> httpx.Client:
    return httpx.Client(timeout=60)


def _events(clinic: WebClinic, kind: str) -> list[AccountEventRow]:
    with clinic.app.transaction() as session:
        return list(session.exec(select(AccountEventRow).where(AccountEventRow.kind == kind)))


def _identities(clinic: WebClinic) -> int:
    with clinic.app.transaction() as session:
        return len(session.exec(select(OidcIdentityRow)).all())


def test_a_nurse_signs_in_through_the_hospital_and_lands_on_the_page_asked_for_as_coordinator(
    hospital: Hospital,
) -> None:
    clinic = hospital.clinic
    with _browser() as browser:
        login = browser.get(f"{clinic.url}/login")
        assert "Sign in with St Elsewhere account" in login.text
        signed = sign_on(browser, clinic, "nurse.olga", "/tasks")
        assert signed.status_code == 200
        assert "Signed in as nurse.olga" in signed.text
        assert 'http-equiv="refresh" content="0; url=/tasks"' in signed.text
        assert "Decision support only" in signed.text
        tasks = browser.get(f"{clinic.url}/tasks")
        assert tasks.status_code == 200
        assert signed_in_as(tasks) == ("nurse.olga", "coordinator")
        assert signed_in_as(browser.get(f"{clinic.url}/")) == ("nurse.olga", "coordinator")
    users = {u.username: u for u in list_users(clinic.app)}
    assert users["nurse.olga"].role == "coordinator"
    assert users["nurse.olga"].active


def test_the_callback_sets_the_strict_session_cookie_and_clears_the_lax_state_cookie(
    hospital: Hospital,
) -> None:
    clinic = hospital.clinic
    with _browser() as browser:
        started = browser.get(f"{clinic.url}/signin/oidc")
        state_cookie = started.headers["set-cookie"]
        assert "ildpath_sign_on=" in state_cookie
        assert "HttpOnly" in state_cookie and "SameSite=lax" in state_cookie
        assert "Path=/signin/oidc" in state_cookie and "Max-Age=600" in state_cookie
        signed = sign_on(browser, clinic, "dr.petra")
        cookies = signed.headers.get_list("set-cookie")
        session = next(c for c in cookies if c.startswith("ildpath_session="))
        assert "HttpOnly" in session and "SameSite=strict" in session
        cleared = next(c for c in cookies if c.startswith("ildpath_sign_on="))
        assert "Max-Age=0" in cleared


def test_a_role_changed_on_the_provider_applies_at_the_next_sign_in_and_is_chained(
    hospital: Hospital,
) -> None:
    clinic = hospital.clinic
    with _browser() as browser:
        sign_on(browser, clinic, "nurse.olga")
        assert signed_in_as(browser.get(f"{clinic.url}/")) == ("nurse.olga", "coordinator")
    hospital.provider.set_groups("nurse.olga", ["staff", "ildpath-clinicians"])
    with _browser() as browser:
        signed = sign_on(browser, clinic, "nurse.olga")
        assert signed.status_code == 200
        assert signed_in_as(browser.get(f"{clinic.url}/")) == ("nurse.olga", "clinician")
    users = {u.username: u for u in list_users(clinic.app)}
    assert users["nurse.olga"].role == "clinician"
    assert _identities(clinic) == 1  # the same identity, not a second account
    added = [e for e in _events(clinic, "user_added") if e.subject == "nurse.olga"]
    changed = [e for e in _events(clinic, "role_changed") if e.subject == "nurse.olga"]
    assert len(added) == 1 and added[0].actor == "single-sign-on"
    assert "oidc_identity" in added[0].record
    assert len(changed) == 1 and '"to":"clinician"' in changed[0].payload
    assert verify_audit(clinic.app).findings == []


def test_a_person_without_an_ildpath_group_is_refused_and_no_account_is_made(
    hospital: Hospital,
) -> None:
    clinic = hospital.clinic
    before = len(list_users(clinic.app))
    with _browser() as browser:
        refused = sign_on(browser, clinic, "porter.rik")
        assert refused.status_code == 403
        assert "no ildpath role" in refused.text
        assert "Decision support only" in refused.text
        assert "ildpath_session" not in browser.cookies
        assert browser.get(f"{clinic.url}/").headers["location"] == "/login"
    assert len(list_users(clinic.app)) == before
    assert _identities(clinic) == 0


def test_a_group_taken_away_on_the_provider_refuses_the_next_sign_in(hospital: Hospital) -> None:
    clinic = hospital.clinic
    with _browser() as browser:
        sign_on(browser, clinic, "dr.petra")
    hospital.provider.set_groups("dr.petra", ["staff"])
    with _browser() as browser:
        assert sign_on(browser, clinic, "dr.petra").status_code == 403
    assert {u.username: u.role for u in list_users(clinic.app)}["dr.petra"] == "clinician"


def test_a_replayed_callback_is_refused(hospital: Hospital) -> None:
    clinic = hospital.clinic
    with _browser() as browser:
        callback = to_callback(browser, clinic, "dr.petra")
        state_cookie = browser.cookies.get("ildpath_sign_on")
        assert browser.get(callback).status_code == 200
        browser.cookies.set("ildpath_sign_on", state_cookie or "", path="/signin/oidc")
        replayed = browser.get(callback)
        assert replayed.status_code == 400
        assert "Start again" in replayed.text


def test_a_callback_with_another_state_than_the_browser_holds_is_refused(
    hospital: Hospital,
) -> None:
    """Login CSRF: an attacker's own callback link, planted in a victim's browser, names a
    state the victim's browser never started; so does a state merely forged."""
    clinic = hospital.clinic
    with _browser() as attacker, _browser() as victim:
        planted = to_callback(attacker, clinic, "it.quinn")
        victim.get(f"{clinic.url}/signin/oidc")  # the victim's own sign-on, never finished
        answer = victim.get(planted)
        assert answer.status_code == 400
        assert "ildpath_session" not in victim.cookies
        forged = _with(planted, state="forged-state")
        assert victim.get(forged).status_code == 400
    assert "it.quinn" not in {u.username for u in list_users(clinic.app)}


def _with(url: str, **changed: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changed)
    return parts._replace(query=urlencode(query)).geturl()


def _swap_pending(clinic: WebClinic, state: str, **changed: str) -> None:
    """Replace what ildpath kept for ``state`` (as if another verifier or nonce had been
    sent): the provider then must refuse, or ildpath's own checks must."""
    with clinic.app.transaction() as session:
        row = session.exec(select(OidcPendingRow)).one()
        kept = Pending(row.code_verifier, row.nonce, row.next_path)
        session.delete(row)
    keep_pending(
        clinic.app,
        state,
        Pending(
            changed.get("code_verifier", kept.code_verifier),
            changed.get("nonce", kept.nonce),
            kept.next_path,
        ),
    )


def test_a_code_redeemed_with_another_pkce_verifier_is_refused_by_the_provider(
    hospital: Hospital,
) -> None:
    clinic = hospital.clinic
    with _browser() as browser:
        callback = to_callback(browser, clinic, "dr.petra")
        state = parse_qs(urlsplit(callback).query)["state"][0]
        _swap_pending(clinic, state, code_verifier="x" * 64)
        refused = browser.get(callback)
        assert refused.status_code == 502
        assert "ildpath_session" not in browser.cookies
    assert "dr.petra" not in {u.username for u in list_users(clinic.app)}


def test_an_id_token_with_another_nonce_than_sent_is_refused(hospital: Hospital) -> None:
    clinic = hospital.clinic
    with _browser() as browser:
        callback = to_callback(browser, clinic, "dr.petra")
        state = parse_qs(urlsplit(callback).query)["state"][0]
        _swap_pending(clinic, state, nonce="not-the-nonce-that-was-sent")
        refused = browser.get(callback)
        assert refused.status_code == 401
        assert "did not check out" in refused.text
        assert "ildpath_session" not in browser.cookies
    assert "dr.petra" not in {u.username for u in list_users(clinic.app)}


def test_a_local_account_signs_in_with_its_password_beside_single_sign_on(
    hospital: Hospital,
) -> None:
    clinic = hospital.clinic
    with _browser() as browser:
        sign_on(browser, clinic, "it.quinn")
    with _browser() as browser:
        answer = browser.post(
            f"{clinic.url}/login",
            data={"username": PEOPLE["clinician"], "password": PASSWORD},
        )
        assert answer.status_code == 303
        board = browser.get(f"{clinic.url}/")
        assert signed_in_as(board) == (PEOPLE["clinician"], "clinician")
        no_password = browser.post(
            f"{clinic.url}/login", data={"username": "it.quinn", "password": PASSWORD}
        )
        assert no_password.status_code == 401  # a signed-on account has no local password
    assert {u.username: u.role for u in list_users(clinic.app)}["it.quinn"] == "admin"
    assert verify_audit(clinic.app).findings == []


def test_a_local_account_of_the_same_name_is_not_taken_over_by_signing_on(
    hospital: Hospital,
) -> None:
    clinic = hospital.clinic
    hospital.provider.set_groups("nurse.olga", ["ildpath-admins"])
    add_user(clinic.app, "nurse.olga", "coordinator", PASSWORD, by="system")
    with _browser() as browser:
        refused = sign_on(browser, clinic, "nurse.olga")
        assert refused.status_code == 403
        assert "exists already" in refused.text
    assert {u.username: u.role for u in list_users(clinic.app)}["nurse.olga"] == "coordinator"
    assert _identities(clinic) == 0


def test_without_an_issuer_there_is_no_hospital_button_and_the_route_is_404(
    tmp_path: Path,
) -> None:
    with web_clinic(f"sqlite:///{tmp_path}/clinic.db") as clinic, _browser() as browser:
        assert "Sign in with St Elsewhere" not in browser.get(f"{clinic.url}/login").text
        assert browser.get(f"{clinic.url}/signin/oidc").status_code == 404
        assert browser.get(f"{clinic.url}{CALLBACK}?state=a&code=b").status_code == 404


def test_a_deactivated_account_is_refused_though_the_provider_still_knows_the_person(
    hospital: Hospital,
) -> None:
    clinic = hospital.clinic
    with _browser() as browser:
        sign_on(browser, clinic, "nurse.olga")
    deactivate_user(clinic.app, "nurse.olga", by=PEOPLE["admin"])
    with _browser() as browser:
        refused = sign_on(browser, clinic, "nurse.olga")
        assert refused.status_code == 403
        assert "deactivated" in refused.text
        assert "ildpath_session" not in browser.cookies


def test_the_last_active_admin_is_not_demoted_by_the_provider_the_sign_in_is_refused(
    hospital: Hospital,
) -> None:
    clinic = hospital.clinic
    with _browser() as browser:
        sign_on(browser, clinic, "it.quinn")
    deactivate_user(clinic.app, PEOPLE["admin"], by="it.quinn")
    hospital.provider.set_groups("it.quinn", ["ildpath-clinicians"])
    with _browser() as browser:
        refused = sign_on(browser, clinic, "it.quinn")
        assert refused.status_code == 403
        assert "without an active admin" in refused.text
    assert {u.username: u.role for u in list_users(clinic.app)}["it.quinn"] == "admin"


def test_an_identity_tied_to_another_account_behind_the_application_s_back_is_found(
    hospital: Hospital,
) -> None:
    clinic = hospital.clinic
    with _browser() as browser:
        sign_on(browser, clinic, "nurse.olga")
    assert _identities(clinic) == 1
    assert verify_audit(clinic.app).findings == []
    tamper(
        clinic.app.engine,
        "UPDATE oidc_identity SET user_id = (SELECT id FROM user_account WHERE username = :admin)",
        admin=PEOPLE["admin"],
    )
    findings = [f.problem for f in verify_audit(clinic.app).findings]
    assert any(
        "single sign-on identity 'nurse.olga' of user admin-dan: row differs: user_id" in m
        for m in findings
    ), findings


def test_cancelling_at_the_provider_comes_back_refused_without_a_session(
    hospital: Hospital,
) -> None:
    clinic = hospital.clinic
    with _browser() as browser:
        started = browser.get(f"{clinic.url}/signin/oidc")
        login_page = _follow(browser, started, clinic)
        cancel = re.search(r'<a href="([^"]+/abort)"', login_page.text)
        assert cancel is not None
        back = _follow(browser, browser.get(cancel.group(1)), clinic)
        assert back.next_request is not None
        assert "error=access_denied" in str(back.next_request.url)
        refused = browser.get(str(back.next_request.url))
        assert refused.status_code == 401
        assert "did not sign you in" in refused.text
        assert "ildpath_session" not in browser.cookies
