"""A day at the dashboard: the clinician records a PFT, moves the patient, acknowledges an alert
and downloads the audit; the forms without JavaScript; a wrong or stale entry refused beside
its form; the worklist and the pathway page."""

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from sqlmodel import col, select

from ildpath.usecases import record_observation
from persistence.tables import ObservationRow, PatientRow
from tests.integration.apps import CLINICIAN
from tests.web import PEOPLE, WebClinic

from .browsing import DANGLING_REFERENCES, VIEWPORT, Shots, sign_in
from .clinic import MDA5, PROGRESSING, STABLE, TODAY, patient_row


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
    expect(page.locator(".state-value .label")).to_have_text("Monitoring")
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
    expect(trigger.get_by_label("Trigger")).to_contain_text("Progression detected")
    trigger.get_by_label("Trigger").select_option("close")
    expect(trigger.get_by_label("Closing reason", exact=True)).to_be_visible()
    trigger.get_by_label("Trigger").select_option("detect_progression")
    expect(trigger.get_by_label("Closing reason", exact=True)).to_be_hidden()
    expect(trigger.get_by_label("Reason", exact=True)).to_be_visible()
    page.once("dialog", lambda dialog: dialog.dismiss())
    trigger.get_by_role("button", name="Fire the trigger").click()
    expect(page.locator(".state-value .label")).to_have_text("Monitoring")
    page.once("dialog", lambda dialog: dialog.accept())
    trigger.get_by_role("button", name="Fire the trigger").click()
    expect(page.get_by_role("status")).to_contain_text("Trigger fired: Progression detected.")
    expect(page.locator(".state-value .label")).to_have_text("Progression")
    assert patient_row(clinic.app, PROGRESSING).state == "progression"
    shots(page, "trigger-fired")

    page.get_by_role("link", name="Cohort").click()
    page.get_by_role("link", name=MDA5).click()
    alert = page.locator("li.alert", has_text="AVOID_AGENT")
    expect(alert).to_contain_text("Not acknowledged")
    alert.get_by_label("Justification for acknowledging Agent to avoid in anti-MDA5").fill(
        "Infliximab entered in error; stopped by the rheumatology team."
    )
    alert.get_by_role("button", name="Acknowledge Agent to avoid in anti-MDA5").click()
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
        expect(trigger.get_by_label("Closing reason", exact=True)).to_be_visible()
        trigger.get_by_label("Trigger").select_option("refer_transplant")
        trigger.get_by_label("Reason", exact=True).fill("Anti-MDA5 RP-ILD: refer at once [S4]")
        trigger.get_by_role("button", name="Fire the trigger").click()
        expect(page.get_by_role("status")).to_contain_text(
            "Trigger fired: Refer for transplant evaluation."
        )
        expect(page.locator(".state-value .label")).to_have_text("Transplant referral")
        vaccine = page.locator("#form-vaccination")
        vaccine.get_by_label("Vaccine").select_option("influenza")
        vaccine.get_by_role("button", name="Record").click()
        expect(page.get_by_role("status")).to_contain_text("Vaccination recorded.")
        expect(page.locator("table.timeline")).to_contain_text("Influenza vaccination")
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


def test_the_worklist_shows_overdue_tasks_and_the_pathway_page_describes_the_machine(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    sign_in(page, clinic, "coordinator")
    page.get_by_role("link", name="Tasks", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tasks")
    referral = page.locator("table.tasks tbody tr", has_text="transplant referral")
    expect(referral).to_contain_text(MDA5)
    expect(referral).to_contain_text("overdue by 13 days")
    expect(page.locator("table.tasks tbody tr", has_text=STABLE).first).to_contain_text("due")
    calendar = page.get_by_role("link", name=re.compile("calendar"))
    assert calendar.get_attribute("href") == "/api/tasks/calendar.ics"
    shots(page, "tasks")
    page.goto(f"{clinic.url}/tasks?from=2026-11-10&to=2026-11-01")
    expect(page.get_by_role("alert")).to_contain_text("Due until (to):")
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
