"""Hospital single sign-on in Chromium: the sign-in page offers "Sign in with St Elsewhere
account"; the browser goes to a real OpenID Connect provider (npm ``oidc-provider``) on
``localhost``, a person types their hospital login there and consents, and comes back to
ildpath on ``127.0.0.1`` (another site: the SameSite cookies are put to the test) signed in,
in the role their hospital groups give, on the page they asked for. The password form still
works beside it."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.oidc_provider import hospital_provider, sign_on_settings
from tests.web import WebClinic, free_port, web_clinic

from .browsing import Shots, sign_in
from .clinic import TODAY, seed


@pytest.fixture
def hospital_clinic(tmp_path: Path) -> Iterator[WebClinic]:
    """The seeded clinic, on 127.0.0.1, signing on through a provider on localhost."""
    provider_port, clinic_port = free_port(), free_port()
    public = f"http://127.0.0.1:{clinic_port}"
    settings = sign_on_settings(f"http://localhost:{provider_port}", public)
    with (
        web_clinic(
            f"sqlite:///{tmp_path}/clinic.db", TODAY, port=clinic_port, **settings
        ) as clinic,
        hospital_provider(tmp_path, provider_port, public + "/signin/oidc/callback"),
    ):
        seed(clinic.app)
        yield clinic


def _through_the_provider(page: Page, login: str, shots: Shots) -> None:
    """What a person does at the hospital's sign-in pages: type their login and password,
    then agree that ildpath may know who they are."""
    expect(page.get_by_role("heading", name="Sign-in")).to_be_visible()
    assert page.url.startswith("http://localhost:")
    page.get_by_placeholder("Enter any login").fill(login)
    page.get_by_placeholder("and password").fill("their hospital password")
    shots(page, "hospital-sign-in")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()


def test_a_clinician_signs_in_through_the_hospital_provider_and_comes_back_signed_in(
    page: Page, context: BrowserContext, hospital_clinic: WebClinic, shots: Shots
) -> None:
    clinic = hospital_clinic
    page.goto(f"{clinic.url}/tasks")
    assert page.url == f"{clinic.url}/login?next=/tasks"
    shots(page, "sign-in-page")
    page.get_by_role("link", name="Sign in with St Elsewhere account").click()
    _through_the_provider(page, "dr.petra", shots)

    expect(page.get_by_role("heading", level=1)).to_have_text("Tasks")
    assert page.url == f"{clinic.url}/tasks"
    expect(page.get_by_text("Signed in as dr.petra (clinician)")).to_be_visible()
    expect(page.locator(".banner")).to_contain_text("Decision support only")
    shots(page, "signed-in-on-tasks")
    session = [c for c in context.cookies() if c["name"] == "ildpath_session"]
    assert len(session) == 1 and session[0]["sameSite"] == "Strict"
    assert session[0]["httpOnly"] is True and session[0]["domain"] == "127.0.0.1"

    page.get_by_role("button", name="Sign out").click()
    assert page.url == f"{clinic.url}/login"
    page.goto(f"{clinic.url}/")
    assert page.url.startswith(f"{clinic.url}/login")


def test_a_hospital_account_without_an_ildpath_group_is_refused_in_the_browser(
    page: Page, hospital_clinic: WebClinic, shots: Shots
) -> None:
    clinic = hospital_clinic
    page.goto(f"{clinic.url}/login")
    page.get_by_role("link", name="Sign in with St Elsewhere account").click()
    _through_the_provider(page, "porter.rik", shots)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hospital sign-in refused")
    expect(page.get_by_role("alert")).to_contain_text("no ildpath role")
    expect(page.locator(".banner")).to_contain_text("Decision support only")
    shots(page, "refused")
    page.goto(f"{clinic.url}/")
    assert page.url.startswith(f"{clinic.url}/login")


def test_the_password_form_still_signs_in_beside_the_hospital_button(
    page: Page, hospital_clinic: WebClinic, shots: Shots
) -> None:
    sign_in(page, hospital_clinic, "coordinator", "/tasks")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tasks")
    shots(page, "password-sign-in")


def test_the_hospital_button_is_reached_and_followed_by_keyboard_alone(
    page: Page, hospital_clinic: WebClinic, shots: Shots
) -> None:
    clinic = hospital_clinic
    page.goto(f"{clinic.url}/login?next=/reports")
    page.locator("#password").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Sign in"
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Sign in with St Elsewhere account"
    page.keyboard.press("Enter")
    _through_the_provider(page, "nurse.olga", shots)
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    expect(page.get_by_text("Signed in as nurse.olga (coordinator)")).to_be_visible()
