"""The dashboard for people who use a keyboard or a screen reader: sign-in by keyboard alone, and
a patient page whose every control is labelled, whose tables have captions and headers."""

from playwright.sync_api import Page, expect

from tests.web import PASSWORD, PEOPLE, WebClinic

from .browsing import DANGLING_REFERENCES, DUPLICATE_IDS, Shots, sign_in
from .clinic import MDA5


def test_keyboard_only_sign_in(page: Page, clinic: WebClinic, shots: Shots) -> None:
    page.goto(f"{clinic.url}/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.locator("#username").focus()
    page.keyboard.type(PEOPLE["coordinator"])
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cohort board")
    assert page.url == f"{clinic.url}/"
    shots(page, "signed-in")


def test_every_form_control_on_the_patient_page_has_a_label(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    sign_in(page, clinic, "clinician", f"/patients/{MDA5}")
    controls = page.locator("input:not([type=hidden]), select, textarea")
    assert controls.count() > 20
    unlabelled = controls.evaluate_all(
        """els => els
            .filter(el => !(el.labels.length || el.getAttribute('aria-label')))
            .map(el => el.outerHTML)"""
    )
    assert unlabelled == []
    assert page.evaluate(DUPLICATE_IDS) == []
    assert page.evaluate(DANGLING_REFERENCES) == []
    assert page.locator("h1").count() == 1
    for landmark in ("banner", "navigation", "main"):
        expect(page.get_by_role(landmark).first).to_be_attached()
    tables = page.locator("table")
    for i in range(tables.count()):
        assert tables.nth(i).locator("caption").count() == 1
        assert tables.nth(i).locator("th[scope]").count() > 0
    shots(page, "patient-page")
