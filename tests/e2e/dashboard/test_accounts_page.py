"""The admin's Accounts page: add an account, change its role, issue an API token that is
shown once and works, revoke it, deactivate the account; refusals beside the form that write
nothing; and no Accounts page for any other role."""

import re

import httpx
from playwright.sync_api import Browser, Page, expect

from ildpath.accounts import list_tokens, list_users
from tests.web import PEOPLE, WebClinic

from .browsing import (
    DANGLING_REFERENCES,
    DUPLICATE_IDS,
    VIEWPORT,
    Shots,
    csrf_token,
    sign_in,
)

NEW = "anna.rossi"
NEW_PASSWORD = "Ossigeno-Alto-2026"


def _accounts(clinic: WebClinic) -> dict[str, tuple[str, bool]]:
    return {u.username: (u.role, u.active) for u in list_users(clinic.app)}


def _patients(clinic: WebClinic, token: str) -> int:
    with httpx.Client(base_url=clinic.url, timeout=60) as client:
        return client.get("/api/patients", headers={"Authorization": f"Bearer {token}"}).status_code


def _sign_in_as(page: Page, clinic: WebClinic, username: str, password: str) -> None:
    page.goto(clinic.url + "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _well_formed(page: Page) -> None:
    """Every control labelled, every table captioned, no duplicate or dangling ids."""
    unlabelled = page.locator("input:not([type=hidden]), select, textarea").evaluate_all(
        "els => els.filter(el => !(el.labels.length || el.getAttribute('aria-label')))"
        ".map(el => el.outerHTML)"
    )
    assert unlabelled == []
    tables = page.locator("table")
    assert all(tables.nth(i).locator("caption").count() == 1 for i in range(tables.count()))
    assert page.evaluate(DUPLICATE_IDS) == []
    assert page.evaluate(DANGLING_REFERENCES) == []


def test_an_admin_adds_an_account_gives_it_a_token_revokes_it_and_deactivates_it(
    page: Page, browser: Browser, clinic: WebClinic, shots: Shots
) -> None:
    sign_in(page, clinic, "admin", "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Accounts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accounts")
    expect(page.locator("table.accounts caption")).to_have_text("4 accounts, 4 active")
    expect(page.get_by_role("row", name=re.compile(PEOPLE["admin"]))).to_contain_text("(you)")
    _well_formed(page)
    shots(page, "accounts-list")

    # A username the rules refuse: said beside the form, what was typed kept, nothing written.
    page.get_by_label("Username").fill("Anna Rossi")
    page.get_by_label("Role").select_option("coordinator")
    page.get_by_label("Email (optional)").fill("anna.rossi@example.org")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Add account").click()
    refused = page.locator("#form-add").get_by_role("alert")
    expect(refused).to_contain_text("Username (username): 'Anna Rossi' is not allowed")
    expect(refused).to_contain_text("lower-case letters")
    expect(page.get_by_label("Username")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Email (optional)")).to_have_value("anna.rossi@example.org")
    expect(page.get_by_label("Password")).to_have_value("")
    assert NEW_PASSWORD not in page.content()
    assert len(_accounts(clinic)) == 4
    _well_formed(page)
    shots(page, "add-refused")

    page.get_by_label("Username").fill(NEW)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Add account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Account {NEW}")
    expect(page.get_by_role("status")).to_contain_text(f"Account {NEW} added")
    assert _accounts(clinic)[NEW] == ("coordinator", True)
    shots(page, "account-added")

    page.locator("#form-email").get_by_label("Email").fill("not-an-address")
    page.get_by_role("button", name="Save email").click()
    refused = page.locator("#form-email").get_by_role("alert")
    expect(refused).to_contain_text("(email): 'not-an-address' is not allowed")
    expect(page.locator("#form-email").get_by_label("Email")).to_have_value("not-an-address")
    assert {u.username: u.email for u in list_users(clinic.app)}[NEW] == "anna.rossi@example.org"
    shots(page, "email-refused")

    page.locator("#form-role").get_by_label("Role").select_option("clinician")
    page.get_by_role("button", name="Change role").click()
    expect(page.get_by_role("status")).to_contain_text(f"Role of {NEW} changed")
    expect(page.locator(".facts")).to_contain_text("clinician")
    assert _accounts(clinic)[NEW] == ("clinician", True)
    shots(page, "role-changed")

    # The new person signs in, in the new role; the admin's list then knows when.
    theirs = browser.new_context(viewport=VIEWPORT)
    try:
        their_page = theirs.new_page()
        _sign_in_as(their_page, clinic, NEW, NEW_PASSWORD)
        expect(their_page.get_by_text(f"Signed in as {NEW} (clinician)")).to_be_visible()
        expect(
            their_page.get_by_role("navigation", name="Main").get_by_role("link", name="Accounts")
        ).to_have_count(0)

        page.get_by_label("Name").fill("lab import")
        page.get_by_role("button", name="Issue token").click()
        expect(page.get_by_role("heading", name="New API token: copy it now")).to_be_visible()
        expect(page.get_by_text("it will not be shown again")).to_be_visible()
        token = page.get_by_label(f"API token for {NEW}").input_value()
        assert token.startswith("ildp_")
        token_id = int(token.split("_")[1])
        _well_formed(page)
        shots(page, "token-issued-shown-once")
        assert _patients(clinic, token) == 200

        page.goto(f"{clinic.url}/admin/accounts/{NEW}")
        assert token not in page.content()
        expect(page.get_by_role("row", name=re.compile("lab import"))).to_contain_text("Revoke")
        page.goto(f"{clinic.url}/admin/accounts")
        row = page.get_by_role("row", name=re.compile(re.escape(NEW)))
        expect(row).to_contain_text("clinician")
        expect(row).to_contain_text("2026-11-02")
        expect(row.locator("td.num")).to_have_text("1")
        shots(page, "accounts-list-with-sign-in-and-token")

        page.get_by_role("link", name=NEW).click()
        page.get_by_role("button", name=re.compile(f"Revoke token {token_id}")).click()
        expect(page.get_by_role("status")).to_contain_text(f"API token {token_id} revoked")
        expect(page.get_by_role("row", name=re.compile("lab import"))).to_contain_text("revoked")
        assert _patients(clinic, token) == 401
        shots(page, "token-revoked")

        page.get_by_label(f"Confirm: deactivate {NEW}").check()
        page.get_by_role("button", name=f"Deactivate {NEW}").click()
        expect(page.get_by_role("status")).to_contain_text(f"Account {NEW} deactivated")
        expect(page.get_by_text("This account is deactivated")).to_be_visible()
        expect(page.get_by_role("button", name="Issue token")).to_have_count(0)
        assert _accounts(clinic)[NEW] == ("clinician", False)
        shots(page, "account-deactivated")

        their_page.reload()
        expect(their_page.get_by_role("heading", level=1)).to_have_text("Sign in")
        _sign_in_as(their_page, clinic, NEW, NEW_PASSWORD)
        expect(their_page.get_by_role("alert")).to_contain_text("Wrong username or password")
        shots(their_page, "deactivated-cannot-sign-in")
    finally:
        theirs.close()
    assert [t.revoked_at is not None for t in list_tokens(clinic.app, NEW)] == [True]


def test_an_admin_cannot_demote_or_deactivate_themselves(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    me = PEOPLE["admin"]
    sign_in(page, clinic, "admin", f"/admin/accounts/{me}")
    expect(page.get_by_text("This is your own account")).to_contain_text("only another admin")
    expect(page.locator("#form-role, #form-deactivate")).to_have_count(0)
    expect(page.get_by_role("button", name="Issue token")).to_be_visible()
    _well_formed(page)
    shots(page, "own-account")

    # A form kept from before, or made by hand, is refused with the reason, beside the form.
    token = csrf_token(page)
    demoted = page.request.post(
        f"{clinic.url}/admin/accounts/{me}/role", form={"csrf_token": token, "role": "auditor"}
    )
    assert demoted.status == 422
    assert "role: you may not change the role of your own account (admin-dan)" in demoted.text()
    deactivated = page.request.post(
        f"{clinic.url}/admin/accounts/{me}/deactivate", form={"csrf_token": token, "confirm": "yes"}
    )
    assert deactivated.status == 422
    assert "you may not deactivate your own account (admin-dan)" in deactivated.text()
    assert _accounts(clinic)[me] == ("admin", True)

    page.goto(f"{clinic.url}/admin/accounts/{PEOPLE['auditor']}")
    page.get_by_role("button", name=f"Deactivate {PEOPLE['auditor']}").click()  # not ticked
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Account {PEOPLE['auditor']}")
    expect(page.get_by_role("status")).to_have_count(0)
    unticked = page.request.post(
        f"{clinic.url}/admin/accounts/{PEOPLE['auditor']}/deactivate", form={"csrf_token": token}
    )
    assert unticked.status == 422
    assert "(confirm): (empty) is not allowed" in unticked.text()
    assert _accounts(clinic)[PEOPLE["auditor"]] == ("auditor", True)


def test_the_accounts_page_is_for_admins_only(page: Page, clinic: WebClinic, shots: Shots) -> None:
    answer = page.request.get(f"{clinic.url}/admin/accounts", max_redirects=0)
    assert answer.status == 303
    assert answer.headers["location"] == "/login?next=/admin/accounts"

    sign_in(page, clinic, "coordinator", "/")
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Accounts")
    ).to_have_count(0)
    shown = page.goto(f"{clinic.url}/admin/accounts")
    assert shown is not None and shown.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not for your role")
    expect(page.get_by_role("alert")).to_contain_text("may not manage users and tokens")
    shots(page, "coordinator-refused")

    before = _accounts(clinic)
    posted = page.request.post(
        f"{clinic.url}/admin/accounts",
        form={
            "csrf_token": csrf_token(page),
            "username": "mallory",
            "role": "admin",
            "password": NEW_PASSWORD,
        },
    )
    assert posted.status == 403
    demoted = page.request.post(
        f"{clinic.url}/admin/accounts/{PEOPLE['admin']}/role",
        form={"csrf_token": csrf_token(page), "role": "auditor"},
    )
    assert demoted.status == 403
    assert _accounts(clinic) == before
