"""Everyone's own account page, reached from their name in the header: where the reminders
of their tasks go, and the Reminders form (one email each, or a daily digest at an hour of
their time zone). A wrong value is refused beside the form, what was typed kept, nothing
written; a post without the session's CSRF token is refused; nobody changes someone else's."""

from playwright.sync_api import Page, expect

from ildpath.accounts import reminder_choice, set_email
from tests.web import PEOPLE, WebClinic

from .browsing import DANGLING_REFERENCES, DUPLICATE_IDS, Shots, csrf_token, sign_in

ANNA = PEOPLE["coordinator"]


def _well_formed(page: Page) -> None:
    unlabelled = page.locator("input:not([type=hidden]), select, textarea").evaluate_all(
        "els => els.filter(el => !(el.labels.length || el.getAttribute('aria-label')))"
        ".map(el => el.outerHTML)"
    )
    assert unlabelled == []
    assert page.evaluate(DUPLICATE_IDS) == []
    assert page.evaluate(DANGLING_REFERENCES) == []


def _choice(clinic: WebClinic) -> tuple[str, int, str]:
    found = reminder_choice(clinic.app, ANNA)
    return found.delivery, found.digest_hour, found.timezone


def test_a_coordinator_chooses_a_daily_digest_on_their_own_account_page(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    set_email(clinic.app, ANNA, "anna@clinic.example", by="system")
    sign_in(page, clinic, "coordinator", "/")
    page.get_by_role("link", name=ANNA).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Your account, {ANNA}")
    form = page.locator("#form-reminders")
    expect(form).to_contain_text("The reminders of the tasks assigned to you go to")
    expect(form).to_contain_text("anna@clinic.example")
    expect(form.get_by_label("Immediately: one email per task reminder")).to_be_checked()
    expect(page.locator(".facts")).to_contain_text("one email each, as they fall due")
    # their own page, not the admin's: no tokens, no role or deactivation forms
    expect(page.get_by_role("heading", name="API tokens")).to_have_count(0)
    expect(page.locator("#form-role, #form-deactivate, #form-issue")).to_have_count(0)
    _well_formed(page)
    shots(page, "own-account")

    form.get_by_label("Daily digest").check()
    form.get_by_label("Digest at").select_option("7")
    form.get_by_label("Time zone").fill("Mars/Olympus")
    form.get_by_role("button", name="Save reminders").click()
    refused = page.locator("#form-reminders").get_by_role("alert")
    expect(refused).to_contain_text("Time zone (timezone): 'Mars/Olympus' is not allowed")
    expect(refused).to_contain_text("an IANA time zone name such as Europe/Paris")
    expect(page.get_by_label("Time zone")).to_have_value("Mars/Olympus")
    expect(page.get_by_label("Time zone")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Daily digest")).to_be_checked()
    assert _choice(clinic) == ("immediate", 7, "UTC")  # nothing written
    _well_formed(page)
    shots(page, "refused-time-zone")

    page.get_by_label("Time zone").fill("Europe/Paris")
    page.get_by_label("Digest at").select_option("8")
    page.get_by_role("button", name="Save reminders").click()
    expect(page.get_by_role("status")).to_contain_text("Your reminder choice is saved")
    expect(page.locator(".facts")).to_contain_text("daily digest at 08:00 (Europe/Paris)")
    expect(page.get_by_label("Daily digest")).to_be_checked()
    expect(page.get_by_label("Digest at")).to_have_value("8")
    assert _choice(clinic) == ("digest", 8, "Europe/Paris")
    shots(page, "digest-chosen")

    # A post without the session's CSRF token, or one naming an hour out of range: refused.
    forged = page.request.post(
        f"{clinic.url}/account/reminders",
        form={"delivery": "immediate", "hour": "7", "timezone": "UTC"},
    )
    assert forged.status == 403
    wrong = page.request.post(
        f"{clinic.url}/account/reminders",
        form={
            "csrf_token": csrf_token(page),
            "delivery": "digest",
            "hour": "25",
            "timezone": "UTC",
        },
    )
    assert wrong.status == 422
    assert "Digest at (hour): 25 is not allowed; allowed: a whole hour from 0 to 23" in wrong.text()
    assert _choice(clinic) == ("digest", 8, "Europe/Paris")


def test_without_an_address_the_page_says_the_clinic_list_gets_their_reminders(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    sign_in(page, clinic, "clinician", "/account")
    form = page.locator("#form-reminders")
    expect(form.get_by_role("paragraph").first).to_contain_text(
        "Your account has no email address, so the reminders of the tasks assigned to you go "
        "to the clinic's list"
    )
    expect(page.locator(".facts")).to_contain_text("none: reminders go to the clinic's list")
    _well_formed(page)
    shots(page, "no-address")

    # Only one's own: the admin's page of someone else shows their choice, with no form.
    page.context.clear_cookies()
    sign_in(page, clinic, "admin", f"/admin/accounts/{ANNA}")
    expect(page.locator(".facts")).to_contain_text("one email each, as they fall due")
    expect(page.locator("#form-reminders")).to_have_count(0)
    shots(page, "admin-sees-choice")
