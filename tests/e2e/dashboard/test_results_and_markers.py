"""The patient page of revision 2 (§11): ferritin and KL-6 charted beside FVC/DLCO, each result
shown with its unit and a CMV load below a limit as "< 35 IU/mL"; the laboratory and CMV forms
record them (a lab form with two analytes is two entries)."""

from datetime import timedelta

from playwright.sync_api import Page, expect

from ildpath.usecases import patient_summary, record_event
from tests.integration.apps import CLINICIAN
from tests.web import WebClinic

from .browsing import Shots, sign_in
from .clinic import MDA5, TODAY


def test_ferritin_and_kl6_are_charted_and_results_shown_with_units(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    for days, body in ((10, {"ferritin": 2400, "kl6": 1500}), (5, {"ferritin": 1900})):
        record_event(clinic.app, MDA5, "lab", body, TODAY - timedelta(days=days), CLINICIAN)
    sign_in(page, clinic, "clinician", f"/patients/{MDA5}")

    lab = page.locator("#form-lab")
    lab.get_by_label("Ferritin, ng/mL").fill("1500")
    lab.get_by_label("KL-6, U/mL").fill("1300")
    lab.get_by_role("button", name="Record").click()
    expect(page.get_by_role("status")).to_contain_text("Laboratory results recorded.")
    cmv = page.locator("#form-cmv")
    cmv.get_by_label("CMV DNA, IU/mL").fill("35")
    cmv.get_by_label("Reported beyond a limit (optional)").select_option("<")
    cmv.get_by_role("button", name="Record").click()
    expect(page.get_by_role("status")).to_contain_text("CMV result recorded.")

    chart = page.locator("section[aria-labelledby=results-title] figure svg")
    expect(chart).to_have_attribute("role", "img")
    expect(chart.locator("circle")).to_have_count(5)
    expect(chart.locator("circle title").first).to_contain_text("ng/mL")
    results = page.locator("table.results-table tbody")
    expect(results).to_contain_text("Ferritin: 1500 ng/mL")
    expect(results).to_contain_text("KL-6: 1300 U/mL")
    expect(results).to_contain_text("CMV DNA: < 35 IU/mL")
    page.locator("#results-title").scroll_into_view_if_needed()
    shots(page, "patient-markers-and-results")

    rows = patient_summary(clinic.app, MDA5).observations
    cmv_row = next(r for r in rows if r.kind == "cmv")
    assert (cmv_row.iu_per_ml, cmv_row.comparator) == (35, "<")
    assert sum(1 for r in rows if r.kind == "lab" and r.clinical_on == TODAY) == 2
