"""Signing in and out: the redirect to sign-in and back (to this site only), the session cookie,
and the CSRF token every form post must carry."""

from playwright.sync_api import BrowserContext, Page, expect

from tests.web import PASSWORD, PEOPLE, WebClinic

from .browsing import Shots, sign_in
from .clinic import MDA5, STABLE, patient_row


def test_anonymous_pages_redirect_to_sign_in_and_back_to_the_page_only(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    answer = page.request.get(f"{clinic.url}/patients/{MDA5}", max_redirects=0)
    assert answer.status == 303
    assert answer.headers["location"] == f"/login?next=/patients/{MDA5}"
    page.goto(f"{clinic.url}/tasks")
    assert page.url == f"{clinic.url}/login?next=/tasks"
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    shots(page, "sign-in")

    page.goto(f"{clinic.url}/login?next=//evil.example/steal")
    page.get_by_label("Username").fill(PEOPLE["clinician"])
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    error = page.get_by_role("alert")
    expect(error).to_contain_text("Wrong username or password")
    shots(page, "sign-in-refused")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.url == f"{clinic.url}/"

    page.get_by_role("button", name="Sign out").click()
    assert page.url == f"{clinic.url}/login"
    page.goto(f"{clinic.url}/")
    assert page.url.startswith(f"{clinic.url}/login")


def test_a_form_post_without_the_csrf_token_is_refused_and_writes_nothing(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    sign_in(page, clinic, "clinician", f"/patients/{STABLE}")
    version = patient_row(clinic.app, STABLE).version
    fields = {"version": str(version), "fvc_pct": "80", "dlco_pct": "70"}
    for token in ({}, {"csrf_token": "forged"}):
        answer = page.request.post(
            f"{clinic.url}/patients/{STABLE}/record/pft", form={**fields, **token}
        )
        assert answer.status == 403
        assert "security token" in answer.text()
    assert patient_row(clinic.app, STABLE).version == version
    signed_out = page.request.post(f"{clinic.url}/logout", form={}, max_redirects=0)
    assert signed_out.status == 403
    page.reload()
    expect(page.get_by_text(f"Signed in as {PEOPLE['clinician']}")).to_be_visible()


def test_the_session_cookie_is_httponly_strict_and_secure_and_works_on_loopback_http(
    page: Page, context: BrowserContext, clinic: WebClinic
) -> None:
    assert clinic.url.startswith("http://127.0.0.1:")
    sign_in(page, clinic, "clinician")
    cookies = [c for c in context.cookies() if c["name"] == "ildpath_session"]
    assert len(cookies) == 1
    cookie = cookies[0]
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert cookie["secure"] is True
    assert cookie["path"] == "/"
    assert page.evaluate("document.cookie") == ""
    page.goto(f"{clinic.url}/tasks")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tasks")
