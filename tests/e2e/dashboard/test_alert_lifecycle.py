"""CLINICAL_SPEC §7a on the patient page: an alert withdrawn within its recording day is shown
apart, struck through, with the entry that withdrew it and no acknowledge button; a cleared
alert says "cleared on D", loses its critical colours and still awaits acknowledgement."""

import re

from playwright.sync_api import Page, expect

from ildpath.usecases import TriggerCommand, fire_trigger, record_therapy
from tests.integration.apps import CLINICIAN
from tests.web import WebClinic

from .browsing import DUPLICATE_IDS, Shots, sign_in
from .clinic import MDA5, TODAY


def test_withdrawn_alert_is_struck_through_and_cleared_alert_awaits_acknowledgement(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    app = clinic.app
    record_therapy(app, MDA5, "start", "methotrexate", TODAY, CLINICIAN)
    refractory = TriggerCommand("declare_refractory", TODAY, reason="worsening hypoxaemia")
    fire_trigger(app, MDA5, refractory, CLINICIAN)
    record_therapy(app, MDA5, "stop", "infliximab", TODAY, CLINICIAN)

    sign_in(page, clinic, "clinician", f"/patients/{MDA5}")
    withdrawn = page.locator("li.alert-withdrawn", has_text="AVOID_FIRST_LINE_AGENT")
    expect(withdrawn).to_have_count(1)
    expect(withdrawn.locator("s code.code")).to_have_text("AVOID_FIRST_LINE_AGENT")
    expect(withdrawn).to_contain_text(re.compile(rf"withdrawn by tr\d+ on {TODAY}"))
    expect(withdrawn.locator("form, button")).to_have_count(0)
    expect(page.get_by_role("heading", name="Withdrawn within their recording day")).to_be_visible()

    cleared = page.locator("li.alert-cleared", has_text="AVOID_AGENT")
    expect(cleared.locator(".standing-cleared")).to_have_text(f"cleared on {TODAY}")
    expect(cleared.locator(".severity-quiet")).to_have_text("critical")
    expect(cleared).to_contain_text("still awaits a clinician's acknowledgement")
    expect(cleared.locator("form.ack-form")).to_have_count(1)
    assert page.evaluate(DUPLICATE_IDS) == []
    shots(page, "patient-withdrawn-and-cleared")
