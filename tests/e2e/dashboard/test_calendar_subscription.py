"""A coordinator subscribes to their tasks from their own account page: the address is shown
once, works without signing in, is listed with when it was last read, and stops working when
revoked; a wrong scope is refused beside the form, writing nothing; another person's feeds
are not theirs to manage. An admin manages anyone's from the account's page."""

import re

import httpx
from playwright.sync_api import Page, expect

from ildpath.accounts import list_feeds, list_users
from tests.web import PEOPLE, WebClinic

from .browsing import DANGLING_REFERENCES, DUPLICATE_IDS, Shots, csrf_token, sign_in

ANNA = PEOPLE["coordinator"]


def _fetch(url: str) -> httpx.Response:
    """As a calendar app asks: no cookie, no Authorization header."""
    return httpx.get(url, timeout=60)


def _well_formed(page: Page) -> None:
    unlabelled = page.locator("input:not([type=hidden]), select, textarea").evaluate_all(
        "els => els.filter(el => !(el.labels.length || el.getAttribute('aria-label')))"
        ".map(el => el.outerHTML)"
    )
    assert unlabelled == []
    tables = page.locator("table")
    assert all(tables.nth(i).locator("caption").count() == 1 for i in range(tables.count()))
    assert page.evaluate(DUPLICATE_IDS) == []
    assert page.evaluate(DANGLING_REFERENCES) == []


def test_a_coordinator_issues_a_calendar_address_sees_it_once_and_revokes_it(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    sign_in(page, clinic, "coordinator", "/")
    page.locator(".who").get_by_role("link", name=ANNA).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Your account, {ANNA}")
    expect(page.get_by_role("heading", name="Calendar subscription")).to_be_visible()
    expect(page.get_by_role("heading", name="API tokens")).to_have_count(0)  # the admin's
    expect(page.locator("table.feeds caption")).to_have_text("0 active calendar feeds, 0 revoked.")
    _well_formed(page)
    shots(page, "own-account")

    page.get_by_label("Scope").select_option("mine")
    page.get_by_role("button", name="Issue calendar address").click()
    expect(page.get_by_role("heading", name="New calendar address: copy it now")).to_be_visible()
    expect(page.get_by_text("it will not be shown again")).to_be_visible()
    expect(page.get_by_text("Subscribe from web")).to_be_visible()
    address = page.get_by_label(f"Calendar address for {ANNA}").input_value()
    assert re.fullmatch(re.escape(clinic.url) + r"/calendar/[A-Za-z0-9_-]{43}\.ics", address)
    _well_formed(page)
    shots(page, "address-shown-once")

    answer = _fetch(address)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "BEGIN:VCALENDAR" in answer.text

    page.goto(clinic.url + "/account")
    assert address not in page.content()
    row = page.get_by_role("row", name=re.compile("assigned to"))
    expect(row).to_contain_text(f"assigned to {ANNA}")
    expect(row).not_to_contain_text("never")  # last read: the fetch above
    shots(page, "feed-listed-with-last-read")

    [feed] = list_feeds(clinic.app, ANNA)
    page.get_by_role("button", name=f"Revoke calendar feed {feed.id}").click()
    expect(page.get_by_role("status")).to_contain_text(f"Calendar feed {feed.id} revoked")
    expect(page.get_by_role("row", name=re.compile("assigned to"))).to_contain_text("revoked")
    assert _fetch(address).status_code == 404
    assert list_feeds(clinic.app, ANNA)[0].revoked_at is not None
    shots(page, "feed-revoked")


def test_a_wrong_scope_is_refused_beside_the_form_and_others_feeds_are_not_yours(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    sign_in(page, clinic, "coordinator", "/account")
    token = csrf_token(page)
    refused = page.request.post(
        f"{clinic.url}/admin/accounts/{ANNA}/calendar", form={"csrf_token": token, "scope": "x"}
    )
    assert refused.status == 422
    assert "Scope (scope): &#39;x&#39; is not allowed; allowed: mine" in refused.text()
    assert 'aria-invalid="true"' in refused.text()
    assert list_feeds(clinic.app, ANNA) == []

    forged = page.request.post(
        f"{clinic.url}/admin/accounts/{ANNA}/calendar", form={"scope": "mine"}
    )
    assert forged.status == 403  # no CSRF token
    others = page.request.post(
        f"{clinic.url}/admin/accounts/{PEOPLE['clinician']}/calendar",
        form={"csrf_token": token, "scope": "all"},
    )
    assert others.status == 403
    assert list_feeds(clinic.app) == []
    shown = page.goto(f"{clinic.url}/admin/accounts/{PEOPLE['clinician']}")
    assert shown is not None and shown.status == 403
    # their own page is theirs to see, but its admin's forms still are not theirs to post
    raised = page.request.post(
        f"{clinic.url}/admin/accounts/{ANNA}/role", form={"csrf_token": token, "role": "admin"}
    )
    assert raised.status == 403
    assert "may not manage users and tokens" in raised.text()
    [me] = [u for u in list_users(clinic.app) if u.username == ANNA]
    assert me.role == "coordinator"


def test_an_admin_issues_a_cohort_feed_for_a_coordinator(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    sign_in(page, clinic, "admin", f"/admin/accounts/{ANNA}")
    expect(page.get_by_role("heading", name="API tokens")).to_be_visible()
    page.get_by_label("Scope").select_option("all")
    page.get_by_role("button", name="Issue calendar address").click()
    address = page.get_by_label(f"Calendar address for {ANNA}").input_value()
    assert _fetch(address).status_code == 200
    [feed] = list_feeds(clinic.app, ANNA)
    assert feed.scope == "all"
    page.goto(f"{clinic.url}/admin/accounts/{ANNA}")
    expect(page.get_by_role("row", name=re.compile("every open task"))).to_be_visible()
    _well_formed(page)
    shots(page, "admin-issued-cohort-feed")
