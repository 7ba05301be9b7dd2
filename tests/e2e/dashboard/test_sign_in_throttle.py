"""Wrong passwords in a row, as a person meets them in Chromium: after the fifth the sign-in
form answers 429 and says when to try again (even for the right password); the admin sees
the lock on the Accounts pages and unlocks it, and the person signs in. A guessable password
for a new account is refused beside the form, naming the rule."""

import re

from playwright.sync_api import Browser, Page, expect

from ildpath.accounts import list_users
from tests.web import PASSWORD, PEOPLE, WebClinic

from .browsing import DANGLING_REFERENCES, DUPLICATE_IDS, VIEWPORT, Shots, sign_in

BEN = PEOPLE["clinician"]


def _try(page: Page, password: str) -> int:
    """Post the sign-in form with ``password``; the answer's status."""
    page.get_by_label("Username").fill(BEN)
    page.get_by_label("Password").fill(password)
    with page.expect_response(
        lambda r: r.url.endswith("/login") and r.request.method == "POST"
    ) as answer:
        page.get_by_role("button", name="Sign in").click()
    return answer.value.status


def test_after_five_wrong_passwords_the_form_says_when_to_try_again_and_an_admin_unlocks(
    page: Page, browser: Browser, clinic: WebClinic, shots: Shots
) -> None:
    page.goto(f"{clinic.url}/login")
    for n in range(5):
        assert _try(page, f"wrong-guess-{n}") == 401
        expect(page.get_by_role("alert")).to_contain_text("Wrong username or password")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
    assert answer.value.status == 429 and answer.value.headers["retry-after"] == "1"
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Too many attempts; try again in 1 second.")
    expect(alert).to_contain_text("An admin can unlock your account sooner.")
    expect(page.get_by_label("Username")).to_have_value(BEN)
    assert page.url == f"{clinic.url}/login"
    shots(page, "locked")

    admin = browser.new_context(viewport=VIEWPORT)
    try:
        admins = admin.new_page()
        sign_in(admins, clinic, "admin", "/admin/accounts")
        row = admins.get_by_role("row", name=re.compile(re.escape(BEN)))
        expect(row).to_contain_text("sign-in locked")
        shots(admins, "accounts-list-locked")
        admins.get_by_role("link", name=BEN).click()
        expect(admins.locator(".facts")).to_contain_text(
            "locked for 1 more second after 5 wrong passwords in a row"
        )
        assert admins.evaluate(DUPLICATE_IDS) == [] and admins.evaluate(DANGLING_REFERENCES) == []
        shots(admins, "account-locked")
        admins.get_by_role("button", name=f"Unlock {BEN}").click()
        expect(admins.get_by_role("status")).to_contain_text(f"Account {BEN} unlocked")
        expect(admins.locator(".facts")).to_contain_text("not locked")
        expect(admins.get_by_role("button", name=f"Unlock {BEN}")).to_have_count(0)
        shots(admins, "account-unlocked")
    finally:
        admin.close()

    assert _try(page, PASSWORD) == 303  # signed in, sent on to the board
    expect(page.get_by_text(f"Signed in as {BEN}")).to_be_visible()
    shots(page, "signed-in-after-unlock")


def test_a_guessable_password_for_a_new_account_is_refused_naming_the_rule(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    sign_in(page, clinic, "admin", "/admin/accounts")
    expect(page.locator("#add-password-hint")).to_contain_text("not a common or easily guessed")
    page.get_by_label("Username").fill("anna.rossi")
    page.get_by_label("Role").select_option("coordinator")
    page.get_by_label("Password").fill("qwertyuiop12")
    page.get_by_role("button", name="Add account").click()
    refused = page.locator("#form-add").get_by_role("alert")
    expect(refused).to_contain_text("Password (password): not allowed: it is easily guessed")
    expect(refused).to_contain_text("a common password and a sequence")
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Username")).to_have_value("anna.rossi")
    assert "qwertyuiop12" not in page.content()
    assert "anna.rossi" not in {u.username for u in list_users(clinic.app)}
    shots(page, "weak-password-refused")
