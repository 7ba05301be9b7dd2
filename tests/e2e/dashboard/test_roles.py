"""What each role is shown and refused on the dashboard, and that opening a record is written to
the access log."""

import re

from playwright.sync_api import Page, expect
from sqlmodel import col, select

from persistence.record_views import RecordViewRow
from persistence.tables import PatientRow
from tests.web import PEOPLE, WebClinic

from .browsing import Shots, csrf_token, sign_in
from .clinic import MDA5, PROGRESSING, patient_row, transitions


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
