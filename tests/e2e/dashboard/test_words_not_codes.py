"""Issue 18, words not codes: a patient in progression with a calcineurin-inhibitor
recommendation and a CMV test due reads in words, each code only in small type beside its
label; the evidence for a proposed trigger is dated values, each once; a refused value names
the field as the form labels it."""

from datetime import timedelta

from playwright.sync_api import Page, expect

from ildpath.usecases import TriggerCommand, fire_trigger, record_observation, record_therapy
from tests.integration.apps import CLINICIAN
from tests.web import WebClinic

from .browsing import Shots, sign_in
from .clinic import PROGRESSING, TODAY

CODES = (
    "cmv_test",
    "ADD_CNI",
    "detect_progression",
    "PROGRESSION_SUSPECTED",
    "CMV_MONITORING_OVERDUE",
)

OUTSIDE_CODE = """(codes) => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const found = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const inCode = node.parentElement.closest('code.code');
        for (const code of codes) {
            if (!inCode && node.textContent.includes(code)) {
                found.push(code + ' in <' + node.parentElement.tagName + '>: '
                           + node.textContent.trim().slice(0, 80));
            }
        }
    }
    return found;
}"""

PFT_DAY = TODAY - timedelta(days=10)


def _progressing_on_cyclophosphamide(clinic: WebClinic) -> None:
    """Prednisone 60 mg with cyclophosphamide (intensive: a weekly CMV test), then a PFT 8
    points of FVC below March's."""
    app = clinic.app
    started = TODAY - timedelta(days=30)
    record_therapy(app, PROGRESSING, "start", "cyclophosphamide", started, CLINICIAN, route="iv")
    record_observation(app, PROGRESSING, "pft", {"fvc_pct": 74, "dlco_pct": 66}, PFT_DAY, CLINICIAN)


def _codes_outside_their_code_element(page: Page) -> list[str]:
    return list(page.evaluate(OUTSIDE_CODE, list(CODES)))


def test_a_proposed_trigger_cites_dated_values_once_not_record_ids(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    _progressing_on_cyclophosphamide(clinic)
    sign_in(page, clinic, "clinician", f"/patients/{PROGRESSING}")

    proposal = page.locator("#proposals-title + ul > li").first
    expect(proposal.locator(".label").first).to_have_text("Progression detected")
    expect(proposal.locator("code.code").first).to_have_text("detect_progression")
    evidence = proposal.locator("ul.evidence > li")
    expect(evidence).to_have_text(
        [
            "2026-03-02 PFT: FVC 82% DLCO 70% predicted",
            f"{PFT_DAY.isoformat()} PFT: FVC 74% DLCO 66% predicted",
        ]
    )
    expect(proposal).not_to_contain_text("obs")
    assert _codes_outside_their_code_element(page) == []
    shots(page, "proposal-evidence")


def test_a_patient_in_progression_reads_in_words_with_each_code_in_small_type(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    _progressing_on_cyclophosphamide(clinic)
    fire_trigger(clinic.app, PROGRESSING, TriggerCommand("detect_progression", PFT_DAY), CLINICIAN)
    sign_in(page, clinic, "clinician", f"/patients/{PROGRESSING}")

    state = page.locator(".state-value")
    expect(state.locator(".label")).to_have_text("Progression")
    expect(state.locator("code.code")).to_have_text("progression")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("ILD course at presentation")
    expect(facts.locator("div", has_text="Phenotype group").locator("dd")).to_have_text(
        "Non-progressive, anti-MDA5 not positive B"
    )

    cni = page.locator("ol.recs > li", has=page.locator("code.code", has_text="ADD_CNI"))
    expect(cni.locator(".label")).to_have_text("Add a calcineurin inhibitor")
    cmv = page.locator("#tasks-title ~ table tbody tr", has_text="CMV test")
    expect(cmv.locator("th .label")).to_have_text("CMV test")
    expect(cmv.locator("th code.code")).to_have_text("cmv_test")
    timeline = page.locator("table.timeline")
    expect(timeline).to_contain_text("Progression detected (Monitoring → Progression)")

    assert _codes_outside_their_code_element(page) == []
    code = page.locator("code.code", has_text="cmv_test").first
    label = page.locator(".label", has_text="CMV test").first
    code_size = code.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    label_size = label.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert code_size < label_size
    shots(page, "progression-in-words")


def test_a_refused_value_names_the_field_as_the_form_labels_it(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    sign_in(page, clinic, "clinician", f"/patients/{PROGRESSING}")
    pft = page.locator("#form-pft")
    pft.get_by_label("FVC % predicted", exact=True).fill("500")
    pft.get_by_role("button", name="Record").click()

    error = page.locator("#form-pft .error")
    expect(error).to_contain_text("FVC % predicted (fvc_pct): 500.0 is not allowed; allowed:")
    expect(page.locator("#form-pft").get_by_label("FVC % predicted", exact=True)).to_have_attribute(
        "aria-invalid", "true"
    )
    shots(page, "refused-in-words")
