"""The patient page read on a 1366 px laptop screen: the FVC/DLCO chart fills the content width,
its tick labels are at least 11 px tall on screen, an 8-point FVC fall spans much of the plot,
and the timeline's dates stay on one line however long the entry beside them."""

from datetime import timedelta

import pytest
from playwright.sync_api import BrowserContext, Page

from ildpath.usecases import TriggerCommand, fire_trigger, record_observation
from tests.integration.apps import CLINICIAN
from tests.web import WebClinic

from .browsing import Shots, sign_in
from .clinic import PROGRESSING, TODAY

LAPTOP = {"width": 1366, "height": 900}

RENDERED_TEXT = """svg => {
    const scale = svg.getScreenCTM().a;
    return [...svg.querySelectorAll('text')].map(
        t => [t.textContent.trim(), parseFloat(getComputedStyle(t).fontSize) * scale]);
}"""
CONTENT_WIDTH = """el => {
    const style = getComputedStyle(el);
    return el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
}"""
LINES = """el => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
}"""
FVC_MARKERS = """svg => [...svg.querySelectorAll('circle')]
    .filter(c => c.querySelector('title') && /FVC/.test(c.querySelector('title').textContent))
    .map(c => c.getBoundingClientRect().top)"""


@pytest.fixture
def laptop(context: BrowserContext) -> Page:
    opened = context.new_page()
    opened.set_viewport_size(LAPTOP)
    return opened


def _falling_fvc_with_a_long_reason(clinic: WebClinic) -> None:
    """PROG-02 had FVC 82 and 81; a PFT at 74 is an 8-point fall from the first, and the
    clinician's long reason for progression makes the timeline's text column wide."""
    on = TODAY - timedelta(days=20)
    record_observation(
        clinic.app, PROGRESSING, "pft", {"fvc_pct": 74, "dlco_pct": 62}, on, CLINICIAN
    )
    reason = (
        "FVC fell eight points and DLCO nine since the response; the multidisciplinary meeting "
        "agreed that the fibrosis has progressed despite mycophenolate and asked for the next "
        "line to be considered at the next clinic visit, after the repeat HRCT and echo."
    )
    fire_trigger(
        clinic.app,
        PROGRESSING,
        TriggerCommand("detect_progression", on, reason=reason),
        CLINICIAN,
    )


def test_fvc_chart_fills_the_content_width_with_ticks_readable_at_1366_px(
    laptop: Page, clinic: WebClinic, shots: Shots
) -> None:
    _falling_fvc_with_a_long_reason(clinic)
    sign_in(laptop, clinic, "clinician", f"/patients/{PROGRESSING}")

    chart = laptop.locator("section[aria-labelledby=pft-title] figure svg")
    chart.scroll_into_view_if_needed()
    section_width = laptop.locator("section[aria-labelledby=pft-title]").evaluate(CONTENT_WIDTH)
    box = chart.bounding_box()
    assert box is not None
    assert box["width"] >= 0.97 * section_width, (box["width"], section_width)
    sizes = dict(chart.evaluate(RENDERED_TEXT))
    assert {"60", "80", "2026-06"} <= set(sizes), sizes  # value and date ticks
    assert min(sizes.values()) >= 11, sizes

    tops = chart.evaluate(FVC_MARKERS)
    assert len(tops) == 3
    # 82 -> 74, on an axis fitted to FVC and DLCO (62 to 82): a fifth of the whole chart,
    # where the old fixed 0-120 axis drew it in a twentieth
    fall = max(tops) - min(tops)
    assert fall >= 0.2 * box["height"], (fall, box["height"])
    shots(laptop, "pft-chart-at-1366")


def test_timeline_dates_stay_on_one_line_beside_a_long_entry(
    laptop: Page, clinic: WebClinic, shots: Shots
) -> None:
    _falling_fvc_with_a_long_reason(clinic)
    sign_in(laptop, clinic, "clinician", f"/patients/{PROGRESSING}")

    dates = laptop.locator("table.timeline tbody th")
    assert dates.count() >= 5
    for i in range(dates.count()):
        assert dates.nth(i).evaluate(LINES) == 1, dates.nth(i).inner_text()
    laptop.locator("#timeline-title").scroll_into_view_if_needed()
    shots(laptop, "timeline-at-1366")
