"""The coordinators' dashboard in a real browser (Chromium, driven by Playwright): a clinician's
day, what each role is shown and refused, sign-in and its cookie, CSRF, keyboard use, labels,
and the access log. Synthetic patients only.

Screenshots of every step go to ``$ILDPATH_TEST_ARTIFACTS/screenshots`` (default
``test-artifacts/``). Without Chromium the tests are skipped, except in CI (``CI=true``),
where they fail.
"""

import os
import re
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    ViewportSize,
    expect,
    sync_playwright,
)
from sqlmodel import col, select

from ildpath.bootstrap import App
from ildpath.usecases import TriggerCommand, fire_trigger, record_observation, record_therapy
from persistence.record_views import RecordViewRow
from persistence.tables import ObservationRow, PatientRow, TransitionRow
from tests.conftest import in_ci
from tests.integration.apps import CLINICIAN, enrol
from tests.web import PASSWORD, PEOPLE, WebClinic, web_clinic

TODAY = date(2026, 11, 2)
MDA5 = "MDA5-01"
"""Anti-MDA5 positive, RP-ILD, infliximab recorded: a critical AVOID_AGENT alert, and the
transplant_referral task opened at enrolment (due that day) is overdue."""
PROGRESSING = "PROG-02"
"""Phenotype B in monitoring; the PFT the clinician records shows FVC falling 8 points."""
STABLE = "STABLE-03"
"""Enrolled today: nothing overdue, nothing alerted."""

VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    found = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    if found is None:
        message = "Chromium not installed (Debian: apt-get install chromium)"
        if in_ci():
            pytest.fail(f"{message}; CI=true: browser tests must not be skipped", pytrace=False)
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the module; each test opens its own context."""
    executable = _chromium()
    playwright = sync_playwright().start()
    try:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()
    finally:
        playwright.stop()


def _seed(app: App) -> None:
    enrol(
        app,
        MDA5,
        enrolled_on=TODAY - timedelta(days=13),
        diagnosis="clinically_amyopathic_dm",
        anti_mda5="positive",
        ild_course="rapidly_progressive",
    )
    record_therapy(app, MDA5, "start", "infliximab", TODAY - timedelta(days=12), CLINICIAN)

    start = date(2026, 3, 2)
    enrol(app, PROGRESSING, enrolled_on=start)
    for agent, dose in (("prednisone", 60.0), ("mycophenolate_mofetil", None)):
        record_therapy(
            app, PROGRESSING, "start", agent, start, CLINICIAN, route="oral", dose_mg_per_day=dose
        )
    record_observation(app, PROGRESSING, "pft", {"fvc_pct": 82, "dlco_pct": 70}, start, CLINICIAN)
    fire_trigger(app, PROGRESSING, TriggerCommand("start_induction", start), CLINICIAN)
    response = date(2026, 6, 1)
    fire_trigger(app, PROGRESSING, TriggerCommand("achieve_response", response), CLINICIAN)
    record_observation(
        app, PROGRESSING, "pft", {"fvc_pct": 81, "dlco_pct": 69}, response, CLINICIAN
    )

    enrol(app, STABLE, enrolled_on=TODAY)


@pytest.fixture
def clinic(tmp_path: Path) -> Iterator[WebClinic]:
    with web_clinic(f"sqlite:///{tmp_path}/clinic.db", TODAY) as served:
        _seed(served.app)
        yield served


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    opened = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    opened.set_default_timeout(15_000)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    """A tab; the test fails if the page broke the Content-Security-Policy (an inline style or
    script would be refused by the browser, and the page would not look or work as meant)."""
    opened = context.new_page()
    refused: list[str] = []
    opened.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    yield opened
    assert refused == []


class Shots:
    """Full-page screenshots, numbered in the order taken: <test>-<nn>-<step>.png."""

    def __init__(self, test: str) -> None:
        root = Path(os.environ.get("ILDPATH_TEST_ARTIFACTS", "test-artifacts"))
        self.folder = root / "screenshots"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.test, self.count = test, 0

    def __call__(self, page: Page, step: str) -> None:
        self.count += 1
        path = self.folder / f"{self.test}-{self.count:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Shots:
    return Shots(request.node.name.removeprefix("test_"))


def sign_in(page: Page, clinic: WebClinic, role: str, wanted: str = "/") -> None:
    page.goto(clinic.url + wanted)
    page.get_by_label("Username").fill(PEOPLE[role])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {PEOPLE[role]}")).to_be_visible()


def csrf_token(page: Page) -> str:
    return str(page.locator("input[name=csrf_token]").first.get_attribute("value"))


def patient_row(app: App, patient_id: str) -> PatientRow:
    with app.transaction() as session:
        row = session.exec(select(PatientRow).where(PatientRow.external_id == patient_id)).one()
        session.expunge(row)
        return row


def transitions(app: App) -> int:
    with app.transaction() as session:
        return len(session.exec(select(TransitionRow.id)).all())


def test_clinician_records_a_pft_moves_the_patient_acknowledges_and_reports(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    sign_in(page, clinic, "clinician")
    shots(page, "cohort-board")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cohort board")
    counts = page.locator("table.counts")
    expected = {
        "diagnosis": 2,
        "induction": 0,
        "monitoring": 1,
        "progression": 0,
        "salvage": 0,
        "transplant referral": 0,
        "closed": 0,
    }
    headers = counts.locator("thead th").all_inner_texts()
    values = counts.locator("tbody td").all_inner_texts()
    assert {h.strip().lower(): int(v) for h, v in zip(headers, values, strict=True)} == expected
    rows = page.locator("table.patients tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first.locator("th")).to_have_text(MDA5)
    expect(rows.first).to_contain_text("critical")
    expect(rows.first).to_contain_text("overdue")
    expect(rows.last.locator("th")).to_have_text(STABLE)

    page.get_by_role("link", name=PROGRESSING).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Patient {PROGRESSING}")
    expect(page.locator(".state-value")).to_have_text("monitoring")
    shots(page, "patient-page")

    pft = page.locator("#form-pft")
    pft.get_by_label("FVC % predicted", exact=True).fill("74")
    pft.get_by_label("DLCO % predicted", exact=True).fill("66")
    pft.get_by_role("button", name="Record").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("PFT recorded.")
    expect(status).to_contain_text("PROGRESSION_SUSPECTED")
    expect(page.locator("table.pft-table tbody tr").last).to_contain_text("74")
    expect(page.locator("table.pft-table tbody tr").last).to_contain_text(TODAY.isoformat())
    shots(page, "pft-recorded")

    trigger = page.locator("#form-trigger")
    expect(trigger.get_by_label("Trigger")).to_contain_text("detect_progression")
    trigger.get_by_label("Trigger").select_option("close")
    expect(trigger.get_by_label("Closing reason (close)")).to_be_visible()
    trigger.get_by_label("Trigger").select_option("detect_progression")
    expect(trigger.get_by_label("Closing reason (close)")).to_be_hidden()
    expect(trigger.get_by_label("Reason", exact=True)).to_be_visible()
    page.once("dialog", lambda dialog: dialog.dismiss())
    trigger.get_by_role("button", name="Fire the trigger").click()
    expect(page.locator(".state-value")).to_have_text("monitoring")
    page.once("dialog", lambda dialog: dialog.accept())
    trigger.get_by_role("button", name="Fire the trigger").click()
    expect(page.get_by_role("status")).to_contain_text("Trigger detect_progression fired.")
    expect(page.locator(".state-value")).to_have_text("progression")
    assert patient_row(clinic.app, PROGRESSING).state == "progression"
    shots(page, "trigger-fired")

    page.get_by_role("link", name="Cohort").click()
    page.get_by_role("link", name=MDA5).click()
    alert = page.locator("li.alert", has_text="AVOID_AGENT")
    expect(alert).to_contain_text("Not acknowledged")
    alert.get_by_label("Justification for acknowledging AVOID_AGENT").fill(
        "Infliximab entered in error; stopped by the rheumatology team."
    )
    alert.get_by_role("button", name="Acknowledge AVOID_AGENT").click()
    expect(page.get_by_role("status")).to_contain_text("Alert acknowledged.")
    acknowledged = page.locator("li.alert", has_text="AVOID_AGENT")
    expect(acknowledged).to_contain_text(f"Acknowledged by {PEOPLE['clinician']}")
    expect(acknowledged).to_contain_text("entered in error")
    expect(acknowledged.locator("form")).to_have_count(0)
    shots(page, "alert-acknowledged")

    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    shots(page, "reports")
    page.get_by_label("Format").select_option("html")
    with page.expect_download() as html_download:
        page.get_by_role("button", name="Download the report").click()
    html = Path(html_download.value.path()).read_text(encoding="utf-8")
    assert html_download.value.suggested_filename.endswith(".html")
    assert "AVOID_AGENT" in html and "Infliximab entered in error" in html
    assert "detect_progression" in html and PROGRESSING in html
    page.get_by_label("Format").select_option("pdf")
    with page.expect_download() as pdf_download:
        page.get_by_role("button", name="Download the report").click()
    assert pdf_download.value.suggested_filename.endswith(".pdf")
    assert Path(pdf_download.value.path()).read_bytes().startswith(b"%PDF")
    shots(page, "report-downloaded")


def test_the_forms_work_without_javascript(
    browser: Browser, clinic: WebClinic, shots: Shots
) -> None:
    context = browser.new_context(java_script_enabled=False, viewport=VIEWPORT)
    try:
        page = context.new_page()
        sign_in(page, clinic, "clinician", f"/patients/{MDA5}")
        trigger = page.locator("#form-trigger")
        expect(trigger.get_by_label("Closing reason (close)")).to_be_visible()
        trigger.get_by_label("Trigger").select_option("refer_transplant")
        trigger.get_by_label("Reason", exact=True).fill("Anti-MDA5 RP-ILD: refer at once [S4]")
        trigger.get_by_role("button", name="Fire the trigger").click()
        expect(page.get_by_role("status")).to_contain_text("Trigger refer_transplant fired.")
        expect(page.locator(".state-value")).to_have_text("transplant referral")
        vaccine = page.locator("#form-vaccination")
        vaccine.get_by_label("Vaccine").select_option("influenza")
        vaccine.get_by_role("button", name="Record").click()
        expect(page.get_by_role("status")).to_contain_text("Vaccination recorded.")
        expect(page.locator("table.timeline")).to_contain_text("influenza vaccination")
        shots(page, "no-javascript")
    finally:
        context.close()


def test_a_stale_or_wrong_entry_is_refused_beside_its_form_keeping_what_was_typed(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    sign_in(page, clinic, "coordinator", f"/patients/{STABLE}")
    pft = page.locator("#form-pft")
    pft.get_by_label("FVC % predicted", exact=True).fill("250")
    pft.get_by_role("button", name="Record").click()
    error = page.locator("#form-pft").get_by_role("alert")
    expect(error).to_contain_text("fvc_pct")
    expect(error).to_contain_text("10 to 200")
    fvc = page.locator("#form-pft").get_by_label("FVC % predicted", exact=True)
    expect(fvc).to_have_value("250")
    expect(fvc).to_have_attribute("aria-invalid", "true")
    assert page.evaluate(DANGLING_REFERENCES) == []
    shots(page, "invalid-value")

    record_observation(clinic.app, STABLE, "cmv", {"iu_per_ml": 0}, TODAY, CLINICIAN)
    pft = page.locator("#form-pft")
    pft.get_by_label("FVC % predicted", exact=True).fill("80")
    with page.expect_response(lambda r: r.url.endswith("/record/pft")) as posted:
        pft.get_by_role("button", name="Record").click()
    assert posted.value.status == 409
    expect(page.locator("#form-pft").get_by_role("alert")).to_contain_text("changed meanwhile")
    with clinic.app.transaction() as session:
        kinds = session.exec(
            select(ObservationRow.kind)
            .join(PatientRow, col(PatientRow.id) == col(ObservationRow.patient_id))
            .where(PatientRow.external_id == STABLE)
        ).all()
    assert kinds == ["cmv"]
    shots(page, "changed-meanwhile")


def test_a_coordinator_sees_no_trigger_or_acknowledge_forms_and_cannot_post_one(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    sign_in(page, clinic, "coordinator", f"/patients/{MDA5}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Patient {MDA5}")
    expect(page.locator("li.alert", has_text="AVOID_AGENT")).to_contain_text("Not acknowledged")
    expect(page.locator("form.trigger-form")).to_have_count(0)
    expect(page.locator("form.ack-form")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("Fire|Acknowledge"))).to_have_count(0)
    expect(page.locator("#form-pft")).to_be_visible()
    shots(page, "coordinator-patient")

    before = patient_row(clinic.app, MDA5)
    moves = transitions(clinic.app)
    answer = page.request.post(
        f"{clinic.url}/patients/{MDA5}/trigger",
        form={
            "csrf_token": csrf_token(page),
            "version": str(before.version),
            "trigger": "declare_refractory",
            "reason": "life-threatening disease",
        },
        max_redirects=0,
    )
    assert answer.status == 403
    assert "may not fire clinical triggers" in answer.text()
    after = patient_row(clinic.app, MDA5)
    assert (after.state, after.version) == (before.state, before.version)
    assert transitions(clinic.app) == moves


def test_an_auditor_sees_no_record_forms_and_no_decision_forms(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    sign_in(page, clinic, "auditor", f"/patients/{PROGRESSING}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Patient {PROGRESSING}")
    expect(page.locator("form[action*='/record/']")).to_have_count(0)
    expect(page.get_by_role("heading", name="Record")).to_have_count(0)
    expect(page.locator("form.trigger-form, form.ack-form")).to_have_count(0)
    expect(page.get_by_role("link", name="PDF")).to_be_visible()
    shots(page, "auditor-patient")


def test_an_admin_is_told_why_there_is_no_report_form(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    sign_in(page, clinic, "admin", "/reports")
    expect(page.locator("form[action='/api/reports/cohort']")).to_have_count(0)
    expect(page.get_by_role("main")).to_contain_text("may not produce reports")
    shots(page, "admin-reports")


def test_the_worklist_shows_overdue_tasks_and_the_pathway_page_describes_the_machine(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    sign_in(page, clinic, "coordinator")
    page.get_by_role("link", name="Tasks").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tasks")
    referral = page.locator("table.tasks tbody tr", has_text="transplant referral")
    expect(referral).to_contain_text(MDA5)
    expect(referral).to_contain_text("overdue by 13 days")
    expect(page.locator("table.tasks tbody tr", has_text=STABLE).first).to_contain_text("due")
    calendar = page.get_by_role("link", name=re.compile("calendar"))
    assert calendar.get_attribute("href") == "/api/tasks/calendar.ics"
    shots(page, "tasks")
    page.goto(f"{clinic.url}/tasks?from=2026-11-10&to=2026-11-01")
    expect(page.get_by_role("alert")).to_contain_text("to:")
    shots(page, "tasks-refused")

    with page.expect_response(lambda r: "/api/pathway/diagram" in r.url) as drawn:
        page.get_by_role("link", name="Pathway").click()
    assert drawn.value.status == 200
    assert drawn.value.headers["content-type"].startswith("image/svg+xml")
    expect(page.get_by_role("heading", level=1)).to_have_text("The care pathway")
    diagram = page.get_by_role("img", name=re.compile("State diagram"))
    expect(diagram).to_be_visible()
    expect(diagram).to_have_js_property("complete", True)  # polls without eval (the CSP)
    assert diagram.evaluate("img => img.naturalWidth") > 0
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(7)
    expect(rows.filter(has_text="return_from_referral")).to_contain_text(
        "the state the referral came from"
    )
    expect(page.locator("ol.states li")).to_have_count(7)
    shots(page, "pathway")


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


DUPLICATE_IDS = """() => {
    const ids = [...document.querySelectorAll('[id]')].map(el => el.id);
    return ids.filter((id, i) => ids.indexOf(id) !== i);
}"""
DANGLING_REFERENCES = """() => [
    ...document.querySelectorAll('[aria-describedby], [aria-labelledby]')
].flatMap(el => [el.getAttribute('aria-describedby'), el.getAttribute('aria-labelledby')])
    .filter(Boolean).flatMap(ids => ids.split(' '))
    .filter(id => !document.getElementById(id))"""


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


def test_viewing_a_patient_page_is_written_to_the_access_log(page: Page, clinic: WebClinic) -> None:
    sign_in(page, clinic, "auditor", f"/patients/{MDA5}")
    page.reload()
    with clinic.app.transaction() as session:
        views = session.exec(
            select(RecordViewRow.actor, RecordViewRow.role, RecordViewRow.via, RecordViewRow.what)
            .join(PatientRow, col(PatientRow.id) == col(RecordViewRow.patient_id))
            .where(PatientRow.external_id == MDA5)
        ).all()
    assert views == [(PEOPLE["auditor"], "auditor", "dashboard", "patient page")] * 2


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
