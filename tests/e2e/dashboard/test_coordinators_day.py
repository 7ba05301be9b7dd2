"""A care coordinator's working day in the browser (issue "The coordinator's working day"):
sign in, search a patient, decline a vaccination with a reason, reschedule a PFT, assign a CMV
test, record the PFT that closes a task, enrol a patient, amend a phenotype; then an admin adds
an account. Every step is checked in the database as well as on the page, and photographed."""

import re
from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlmodel import select

from ildpath.usecases import record_therapy
from persistence.tables import CareTaskRow, PatientRow
from tests.integration.apps import CLINICIAN
from tests.web import PASSWORD, PEOPLE, WebClinic

from .browsing import Shots, sign_in
from .clinic import MDA5, PROGRESSING, STABLE, TODAY


def _task(clinic: WebClinic, patient_id: str, kind: str) -> CareTaskRow:
    with clinic.app.transaction() as session:
        return session.exec(
            select(CareTaskRow)
            .join(PatientRow, PatientRow.id == CareTaskRow.patient_id)
            .where(PatientRow.external_id == patient_id, CareTaskRow.kind == kind)
            .order_by(CareTaskRow.id.desc())  # type: ignore[union-attr]
        ).first()


def _row(page: Page, task: CareTaskRow) -> object:
    return page.locator(f"#task-{task.id}")


def test_a_coordinator_runs_her_day_from_the_board_and_the_worklist(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    # PROG-02 goes on tacrolimus with high-dose prednisone: CMV tests are due (§9)
    record_therapy(clinic.app, PROGRESSING, "start", "tacrolimus", TODAY, CLINICIAN, route="oral")
    sign_in(page, clinic, "coordinator")
    expect(page.get_by_role("navigation", name="Today's work")).to_contain_text("overdue")
    shots(page, "board")

    # search: any case, the beginning of the id
    page.get_by_label("Find a patient by id").fill("prog")
    page.get_by_role("button", name="Search").click()
    rows = page.locator("table.patients tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(PROGRESSING)
    shots(page, "searched")
    rows.first.get_by_role("link", name=PROGRESSING).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Patient {PROGRESSING}")

    # decline the influenza vaccination from the patient page, with a reason
    flu = _task(clinic, PROGRESSING, "vaccination_influenza")
    row = page.locator(f"#task-{flu.id}")
    row.get_by_text("Decline", exact=True).click()
    row.get_by_label("Why (kept in the audit trail)").fill("Given at her GP, date unknown")
    row.get_by_role("button", name=f"Decline task {flu.id}").click()
    expect(page.get_by_role("status")).to_contain_text("Task declined")
    expect(page.locator(f"#task-{flu.id}")).to_have_count(0)
    expect(page.get_by_text("Given at her GP, date unknown")).to_be_visible()
    assert (_task(clinic, PROGRESSING, "vaccination_influenza").status) == "declined"
    shots(page, "vaccination-declined")

    # reschedule a PFT from the worklist
    page.get_by_role("link", name="Tasks", exact=True).click()
    pft = _task(clinic, STABLE, "pft")
    moved_to = pft.due_on + timedelta(days=7)
    row = page.locator(f"#task-{pft.id}")
    row.get_by_text("Reschedule", exact=True).click()
    row.get_by_label("New due date").fill(moved_to.isoformat())
    row.get_by_label("Why").fill("PFT lab slot moved by a week")
    row.get_by_role("button", name=f"Reschedule task {pft.id}").click()
    expect(page.get_by_role("status")).to_contain_text("Task rescheduled")
    expect(page.locator(f"#task-{pft.id}")).to_have_count(0)  # now due after the period
    page.get_by_label("Due until").fill(moved_to.isoformat())
    page.get_by_role("button", name="Show tasks").click()
    row = page.locator(f"#task-{pft.id}")
    expect(row).to_contain_text(moved_to.isoformat())
    expect(row).to_contain_text(f"engine's date {pft.due_on.isoformat()}")
    shots(page, "pft-rescheduled")

    # assign the CMV test to a clinician, then find it on his list
    cmv = _task(clinic, PROGRESSING, "cmv_test")
    page.get_by_label("Task", exact=True).select_option("cmv_test")
    page.get_by_role("button", name="Show tasks").click()
    row = page.locator(f"#task-{cmv.id}")
    row.get_by_text("Assign", exact=True).click()
    row.get_by_label("Assign to").select_option(PEOPLE["clinician"])
    row.get_by_role("button", name=f"Assign task {cmv.id}").click()
    expect(page.get_by_role("status")).to_contain_text("Task assigned")
    expect(page.locator(f"#task-{cmv.id}")).to_contain_text(PEOPLE["clinician"])
    assert _task(clinic, PROGRESSING, "cmv_test").assignee == PEOPLE["clinician"]
    shots(page, "cmv-assigned")
    page.goto(f"{clinic.url}/?assignee={PEOPLE['clinician']}")
    expect(page.locator("table.patients tbody tr")).to_have_count(1)

    # a working list of her own: patients with an overdue task, saved under a name
    page.goto(f"{clinic.url}/")
    page.get_by_text("Filter patients").click()
    page.get_by_label("Task due").select_option("overdue")
    page.get_by_role("button", name="Show patients").click()
    page.get_by_label("Save this list as").fill("Overdue work")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("link", name="Overdue work")).to_have_attribute("href", "/?due=overdue")
    expect(page.locator("table.patients tbody tr")).to_have_count(2)
    shots(page, "list-saved")

    # done: record the PFT that closes MDA5-01's PFT task
    page.goto(f"{clinic.url}/tasks")
    due_pft = _task(clinic, MDA5, "pft")
    page.locator(f"#task-{due_pft.id}").get_by_role("link", name="Record it (done)").click()
    form = page.locator("#form-pft")
    expect(form).to_contain_text(f"Recording this closes task {due_pft.id}")
    shots(page, "record-to-close")
    form.get_by_label("FVC % predicted", exact=True).fill("71")
    form.get_by_label("DLCO % predicted", exact=True).fill("58")
    form.get_by_role("button", name=re.compile("Record|Save")).click()
    expect(page.get_by_role("status")).to_contain_text("PFT recorded")
    assert _task(clinic, MDA5, "pft").id != due_pft.id  # closed; the next one is open
    with clinic.app.transaction() as session:
        assert session.get(CareTaskRow, due_pft.id).status == "done"  # type: ignore[union-attr]
    shots(page, "pft-closed-the-task")

    # enrol a patient on the web, then amend her phenotype
    page.get_by_role("link", name="Cohort").click()
    page.get_by_role("link", name="Enrol a patient").click()
    form = page.locator("form", has=page.get_by_label("Patient id"))
    form.get_by_label("Patient id").fill("NEW-77")
    form.get_by_label("Sex").select_option("female")
    form.get_by_label("Birth date").fill("1968-04-12")
    form.get_by_label("Diagnosis").select_option("dermatomyositis")
    form.get_by_label("Anti-MDA5").select_option("pending")
    form.get_by_label("Anti-ARS (Jo-1, PL-7, …)").select_option("negative")
    form.get_by_label("ILD course at presentation").select_option("non_progressive")
    shots(page, "enrolling")
    form.get_by_role("button", name="Enrol the patient").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Patient NEW-77")
    amend = page.locator("#form-amend")
    amend.get_by_label("Anti-MDA5").select_option("positive")
    amend.get_by_label("Reason").fill("Anti-MDA5 positive at the reference laboratory")
    amend.get_by_role("button", name="Amend the phenotype").click()
    expect(page.get_by_role("status")).to_contain_text("Phenotype amended")
    with clinic.app.transaction() as session:
        new = session.exec(select(PatientRow).where(PatientRow.external_id == "NEW-77")).one()
    assert new.anti_mda5 == "positive"
    shots(page, "phenotype-amended")

    # the admin adds an account
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, clinic, "admin", "/admin/accounts")
    page.get_by_label("Username").fill("nurse-dana")
    page.get_by_label("Role").select_option("coordinator")
    page.get_by_label("Password").fill(PASSWORD + "-dana")
    page.get_by_role("button", name="Add account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Account nurse-dana")
    shots(page, "account-added")
