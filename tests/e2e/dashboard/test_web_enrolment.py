"""Enrolment and phenotype amendment on the dashboard (issue 18, item 3): the same use cases,
checks and messages as ``ildpath patient enrol`` and ``ildpath patient amend``, with the field
named as the form labels it; a refused form writes nothing and keeps what was typed."""

import re

from playwright.sync_api import Locator, Page, expect
from sqlmodel import select

from ildpath.usecases import record_observation, record_therapy
from persistence.tables import PatientRow
from tests.integration.apps import CLINICIAN
from tests.web import WebClinic

from .browsing import DANGLING_REFERENCES, DUPLICATE_IDS, Shots, sign_in
from .clinic import STABLE, TODAY, patient_row

NEW = "WEB-04"


def _patient_ids(clinic: WebClinic) -> list[str]:
    with clinic.app.transaction() as session:
        return sorted(session.exec(select(PatientRow.external_id)).all())


def _fill_enrolment(page: Page, patient_id: str, birth_date: str) -> Locator:
    form = page.locator("form.enrol-form")
    form.get_by_label("Patient id").fill(patient_id)
    form.get_by_label("Sex").select_option("female")
    form.get_by_label("Birth date").fill(birth_date)
    form.get_by_label("Diagnosis").select_option("antisynthetase_syndrome")
    form.get_by_label("Anti-MDA5").select_option("negative")
    form.get_by_label("Anti-ARS (Jo-1, PL-7, …)").select_option("positive")
    form.get_by_label("ILD course at presentation").select_option("non_progressive")
    form.get_by_label("Active myositis").check()
    form.get_by_label("Weight (kg)").fill("64.5")
    return form


def test_a_coordinator_enrols_a_patient_from_the_board_and_lands_on_its_page_in_diagnosis(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    sign_in(page, clinic, "coordinator")
    page.get_by_role("link", name="Enrol a patient").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enrol a patient")
    expect(page.get_by_label("Enrolment date")).to_have_value(TODAY.isoformat())
    diagnoses = page.get_by_label("Diagnosis").locator("option").all_inner_texts()
    assert "clinically amyopathic dermatomyositis" in diagnoses
    assert page.evaluate(DUPLICATE_IDS) == []
    assert page.evaluate(DANGLING_REFERENCES) == []
    shots(page, "empty-form")

    form = _fill_enrolment(page, NEW, "1968-04-12")
    form.get_by_role("button", name="Enrol the patient").click()

    expect(page).to_have_url(re.compile(rf"/patients/{NEW}\?done=enrolled.*#status$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Patient {NEW}")
    expect(page.get_by_role("status")).to_contain_text("Enrolled in diagnosis")
    expect(page.locator(".state-value .label")).to_have_text("Diagnosis")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Antisynthetase syndrome")
    expect(facts).to_contain_text("Active myositis")
    expect(facts).to_contain_text("64.5 kg")
    tasks = page.locator("section[aria-labelledby=tasks-title] tbody tr")
    expect(tasks.first).not_to_contain_text("No open task")
    expect(page.locator("section[aria-labelledby=tasks-title]")).to_contain_text("pft")
    shots(page, "enrolled-patient")

    row = patient_row(clinic.app, NEW)
    assert (row.state, row.anti_ars, row.risk_factors) == (
        "diagnosis",
        "positive",
        ["active_myositis"],
    )


def test_a_birth_date_in_the_future_is_refused_beside_its_field_and_nothing_is_written(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    sign_in(page, clinic, "coordinator", "/patients/new")
    form = _fill_enrolment(page, NEW, "2027-01-15")
    with page.expect_response(lambda r: r.url.endswith("/patients/new")) as posted:
        form.get_by_role("button", name="Enrol the patient").click()
    assert posted.value.status == 422

    birth = page.get_by_label("Birth date")
    error = page.locator("#enrol-error")
    expect(error).to_have_text(
        "Not saved. Birth date (birth_date): '2027-01-15' is not allowed; allowed: a date in the "
        "past."
    )
    expect(birth).to_have_attribute("aria-invalid", "true")
    expect(birth).to_have_value("2027-01-15")
    expect(page.get_by_label("Patient id")).to_have_value(NEW)
    expect(page.get_by_label("Anti-ARS (Jo-1, PL-7, …)")).to_have_value("positive")
    expect(page.get_by_label("Active myositis")).to_be_checked()
    expect(page.get_by_label("Weight (kg)")).to_have_value("64.5")
    assert page.evaluate(DANGLING_REFERENCES) == []
    shots(page, "future-birth-date")
    assert NEW not in _patient_ids(clinic)


def test_an_id_already_enrolled_is_refused_and_the_enrolled_patient_is_left_as_it_was(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    before = patient_row(clinic.app, STABLE)
    sign_in(page, clinic, "clinician", "/patients/new")
    form = _fill_enrolment(page, STABLE, "1968-04-12")
    with page.expect_response(lambda r: r.url.endswith("/patients/new")) as posted:
        form.get_by_role("button", name="Enrol the patient").click()
    assert posted.value.status == 409
    expect(page.locator("#enrol-error")).to_contain_text(
        f"Patient id (id): a patient with id '{STABLE}' is already enrolled"
    )
    expect(page.get_by_label("Patient id")).to_have_attribute("aria-invalid", "true")
    shots(page, "duplicate-id")
    after = patient_row(clinic.app, STABLE)
    assert (after.version, after.diagnosis) == (before.version, before.diagnosis)
    assert len(_patient_ids(clinic)) == 3


def test_an_auditor_is_offered_no_enrolment_and_is_refused_the_form(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    sign_in(page, clinic, "auditor")
    expect(page.get_by_role("link", name="Enrol a patient")).to_have_count(0)
    answer = page.goto(f"{clinic.url}/patients/new")
    assert answer is not None and answer.status == 403
    expect(page.get_by_role("main")).to_contain_text("may not enrol patients")


def test_anti_mda5_amended_to_positive_makes_phenotype_a_with_its_alert_tasks_and_regimens(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    record_therapy(clinic.app, STABLE, "start", "infliximab", TODAY, CLINICIAN)
    sign_in(page, clinic, "clinician", f"/patients/{STABLE}")
    expect(page.locator("dl.facts")).to_contain_text("Non-progressive, anti-MDA5 not positive")
    expect(page.locator("li.alert", has_text="AVOID_AGENT")).to_have_count(0)
    amend = page.locator("#form-amend")
    expect(amend.get_by_label("Anti-MDA5")).to_have_value("negative")
    expect(amend.get_by_label("ILD course at presentation")).to_have_value("non_progressive")
    expect(amend.get_by_label("Weight (kg)")).to_have_value("60")
    expect(amend.get_by_label("Applies from")).to_have_value(TODAY.isoformat())
    expect(page.locator("section[aria-labelledby=tasks-title]")).not_to_contain_text(
        "Transplant referral"
    )
    shots(page, "amend-form")

    amend.get_by_label("Anti-MDA5").select_option("positive")
    amend.get_by_label("Reason").fill("Anti-MDA5 result back from the reference laboratory")
    amend.get_by_role("button", name="Amend the phenotype").click()

    status = page.get_by_role("status")
    expect(status).to_contain_text("Phenotype amended")
    expect(status).to_contain_text("AVOID_AGENT")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Anti-MDA5 positive A")
    anti_mda5 = facts.locator("div").filter(has=page.get_by_text("Anti-MDA5", exact=True))
    expect(anti_mda5.locator("dd")).to_have_text("Positive")
    expect(page.locator("li.alert", has_text="AVOID_AGENT")).to_contain_text("infliximab")
    expect(page.locator("section[aria-labelledby=tasks-title]")).to_contain_text(
        "Transplant referral"
    )
    expect(page.locator("ol.recs > li").first.locator("code.code")).to_have_text(
        "MDA5_TRIPLE_GC_TAC_CYC"
    )
    expect(page.locator("#form-amend").get_by_label("Anti-MDA5")).to_have_value("positive")
    shots(page, "amended-to-phenotype-a")
    row = patient_row(clinic.app, STABLE)
    assert (row.anti_mda5, row.ild_course) == ("positive", "non_progressive")


def test_a_stale_or_unchanged_amend_form_is_refused_and_the_phenotype_stays(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    sign_in(page, clinic, "coordinator", f"/patients/{STABLE}")
    amend = page.locator("#form-amend")
    with page.expect_response(lambda r: r.url.endswith("/amend")) as posted:
        amend.get_by_role("button", name="Amend the phenotype").click()
    assert posted.value.status == 422
    expect(page.locator("#form-amend").get_by_role("alert")).to_contain_text("Nothing to amend")
    expect(page.locator("p.notice")).to_contain_text("Amend the phenotype")
    shots(page, "nothing-changed")

    before = patient_row(clinic.app, STABLE)
    record_observation(clinic.app, STABLE, "cmv", {"iu_per_ml": 0}, TODAY, CLINICIAN)
    amend = page.locator("#form-amend")
    amend.get_by_label("Anti-MDA5").select_option("positive")
    amend.get_by_label("Height (cm)").fill("168")
    with page.expect_response(lambda r: r.url.endswith("/amend")) as posted:
        amend.get_by_role("button", name="Amend the phenotype").click()
    assert posted.value.status == 409
    amend = page.locator("#form-amend")
    expect(amend.get_by_role("alert")).to_contain_text("changed meanwhile")
    expect(amend.get_by_label("Anti-MDA5")).to_have_value("positive")
    expect(amend.get_by_label("Height (cm)")).to_have_value("168")
    shots(page, "stale-form")
    after = patient_row(clinic.app, STABLE)
    assert (after.anti_mda5, after.height_cm) == ("negative", None)
    assert after.version > before.version  # the CMV result, recorded meanwhile
