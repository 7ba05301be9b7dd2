"""Failing reminder deliveries on the dashboard: a coordinator is told on the board, opens the
list (critical notices first, each with its last error and next attempt), retries one, then
all; once the receivers are mended the next pass sends them and the notice is gone. An auditor
gets neither the notice nor the page, and a retry without the session's token changes
nothing. The deliveries failed for real, against HTTP servers on 127.0.0.1."""

import re

from playwright.sync_api import Page, expect
from sqlalchemy import text

from scheduler.dispatcher import dispatch
from scheduler.notifiers import Notifier, WebhookNotifier
from tests.integration.notifiers.http_server import Endpoint, http_server
from tests.web import WebClinic

from .browsing import DANGLING_REFERENCES, DUPLICATE_IDS, Shots, sign_in
from .clinic import MDA5, TODAY

SECRET = b"clinic-webhook-secret"


def _channels(refusing: str, down: str) -> dict[str, Notifier]:
    return {
        "webhook": WebhookNotifier(refusing, SECRET, timeout=5),
        "webhook-2": WebhookNotifier(down, SECRET, timeout=5, channel="webhook-2"),
    }


def _fail_deliveries(clinic: WebClinic) -> None:
    """One endpoint refuses (401: a person must fix its secret), the other is down (503)."""
    refusing, down = Endpoint(statuses=[401] * 5000), Endpoint(statuses=[503] * 5000)
    with http_server(refusing) as refusing_url, http_server(down) as down_url:
        dispatch(clinic.app.engine, _channels(refusing_url, down_url), TODAY, clinic.clock.now)


def _statuses(clinic: WebClinic) -> dict[str, tuple[str, int]]:
    with clinic.app.engine.connect() as connection:
        rows = connection.execute(text("SELECT key, status, attempts FROM reminder_delivery"))
        return {key: (status, attempts) for key, status, attempts in rows}


def _well_formed(page: Page) -> None:
    unlabelled = page.locator("input:not([type=hidden]), select, textarea, button").evaluate_all(
        "els => els.filter(el => !(el.labels?.length || el.getAttribute('aria-label')"
        " || el.textContent.trim())).map(el => el.outerHTML)"
    )
    assert unlabelled == []
    tables = page.locator("table")
    assert all(tables.nth(i).locator("caption").count() == 1 for i in range(tables.count()))
    assert page.evaluate(DUPLICATE_IDS) == []
    assert page.evaluate(DANGLING_REFERENCES) == []


def test_a_coordinator_sees_failing_deliveries_retries_them_and_they_go_out(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    _fail_deliveries(clinic)
    failing = {k: s for k, s in _statuses(clinic).items() if s[0] == "failed" or s[1]}
    assert len(failing) > 2

    sign_in(page, clinic, "coordinator", "/")
    notice = page.locator("#failing-deliveries")
    expect(notice).to_contain_text(f"{len(failing)} reminder deliveries are failing")
    shots(page, "board-notice")
    notice.get_by_role("link", name="See why, and retry").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Reminder deliveries")
    expect(page.locator("p.banner")).to_contain_text("Decision support")
    expect(page.locator("table.deliveries caption")).to_contain_text(
        f"{len(failing)} failing deliveries"
    )
    rows = page.locator("table.deliveries tbody tr")
    expect(rows).to_have_count(len(failing))
    for critical in (rows.nth(0), rows.nth(1)):  # critical notices first, on both channels
        expect(critical).to_have_class("urgent")
        expect(critical).to_contain_text(MDA5)
        expect(critical).to_contain_text("Critical alert: Agent to avoid in anti-MDA5")
    expect(rows.nth(2)).not_to_have_class("urgent")
    [probe] = [rows.filter(has_text="answered 503")]  # the down endpoint's one probe a pass
    expect(probe).to_have_count(1)
    expect(probe).to_have_class("urgent")
    expect(probe).to_contain_text("webhook-2")
    expect(probe).to_contain_text("Failing: retried on its own")
    expect(probe).to_contain_text(f"{TODAY.isoformat()} 12:05 UTC")  # 5 minutes later
    refused = rows.filter(has_text="answered 401 Unauthorized")
    expect(refused).to_have_count(len(failing) - 1)
    expect(refused.nth(1)).to_contain_text("Failed: fix the cause, then retry")
    expect(refused.nth(1)).to_contain_text("only if retried")
    _well_formed(page)
    shots(page, "failing-list")

    first_key = refused.nth(1).locator("code").inner_text()
    refused.nth(1).get_by_role("button", name=re.compile("^Retry now")).click()
    expect(page.get_by_role("status")).to_contain_text("Re-queued")
    assert _statuses(clinic)[first_key] == ("pending", 1)
    expect(page.locator("tr", has_text=first_key)).to_contain_text(
        "Re-queued: tried at the next pass"
    )
    shots(page, "one-retried")

    page.get_by_role("button", name="Retry all now").click()
    expect(page.get_by_role("status")).to_contain_text("Re-queued")
    assert {status for status, _ in _statuses(clinic).values()} == {"pending"}
    shots(page, "all-retried")

    # the secret fixed, the receiver back: the next pass sends them all
    with http_server(Endpoint()) as fixed, http_server(Endpoint()) as back:
        report = dispatch(clinic.app.engine, _channels(fixed, back), TODAY, clinic.clock.now)
    assert report.sent == len(_statuses(clinic))
    page.reload()
    expect(page.locator("table.deliveries")).to_contain_text("No failing deliveries")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cohort").click()
    expect(page.locator("#failing-deliveries")).to_have_count(0)
    shots(page, "all-delivered")


def test_an_auditor_gets_no_notice_and_no_page_and_a_forged_retry_changes_nothing(
    page: Page, clinic: WebClinic
) -> None:
    _fail_deliveries(clinic)
    before = _statuses(clinic)

    sign_in(page, clinic, "auditor", "/")
    expect(page.locator("#failing-deliveries")).to_have_count(0)
    main_nav = page.get_by_role("navigation", name="Main")
    expect(main_nav.get_by_role("link", name="Reminders")).to_have_count(0)
    page.goto(f"{clinic.url}/reminders")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not for your role")
    expect(page.get_by_role("alert")).to_contain_text(
        "may not see and re-queue failing reminder deliveries"
    )

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, clinic, "admin", "/")
    expect(page.locator("#failing-deliveries")).to_be_visible()
    forged = page.request.post(f"{clinic.url}/reminders/retry", form={"all": "failing"})
    assert forged.status == 403
    assert _statuses(clinic) == before
