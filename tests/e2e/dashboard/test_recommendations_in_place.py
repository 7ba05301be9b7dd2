"""CLINICAL_SPEC §4 "In place" (revision 2) on the patient page: a regimen already given keeps
its rank and says "in place since D" instead of reading as a proposal."""

from playwright.sync_api import Page, expect

from ildpath.usecases import record_therapy
from tests.integration.apps import CLINICIAN
from tests.web import WebClinic

from .browsing import Shots, sign_in
from .clinic import STABLE, TODAY


def test_a_regimen_given_is_shown_in_place_since_the_day_all_its_agents_were_active(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    app = clinic.app
    for agent, dose in (("prednisone", 60.0), ("mycophenolate_mofetil", 2000.0)):
        record_therapy(
            app, STABLE, "start", agent, TODAY, CLINICIAN, route="oral", dose_mg_per_day=dose
        )

    sign_in(page, clinic, "coordinator", f"/patients/{STABLE}")
    first = page.locator("ol.recs > li").first
    expect(first.locator("code.code")).to_have_text("GC_MMF")
    expect(first.locator(".label")).to_have_text("Glucocorticoid and mycophenolate")
    expect(first.locator(".standing-cleared")).to_have_text(f"in place since {TODAY}")
    shots(page, "recommendation-in-place")
