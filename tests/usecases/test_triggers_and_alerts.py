"""A clinician moves the patient and acknowledges alerts; the engine only checks."""

import pytest

from ildpath.bootstrap import App
from ildpath.usecases import TriggerCommand, acknowledge_alert, fire_trigger, record_therapy
from pathway.errors import GuardFailed, InvalidTransition, InvalidValue

from .conftest import CLINICIAN, COORDINATOR, DAY, enrol, everything


def test_induction_needs_an_immunosuppressive_agent(app: App) -> None:
    enrol(app)
    before = everything(app)

    with pytest.raises(GuardFailed, match="immunosuppressive"):
        fire_trigger(app, "P-001", TriggerCommand("start_induction", DAY), CLINICIAN)
    assert everything(app) == before

    record_therapy(app, "P-001", "start", "prednisone", DAY, COORDINATOR, dose_mg_per_day=60)
    outcome = fire_trigger(app, "P-001", TriggerCommand("start_induction", DAY), CLINICIAN)
    assert outcome.state == "induction" and outcome.entry_id is not None


def test_a_trigger_not_allowed_from_the_state_names_the_state(app: App) -> None:
    enrol(app)

    with pytest.raises(InvalidTransition, match="diagnosis"):
        fire_trigger(app, "P-001", TriggerCommand("achieve_response", DAY), CLINICIAN)


def test_an_alert_is_acknowledged_once_with_a_justification(app: App) -> None:
    enrol(app, anti_mda5="positive", ild_course="rapidly_progressive")
    [alert] = [
        a
        for a in record_therapy(app, "P-001", "start", "infliximab", DAY, COORDINATOR).alerts_raised
        if a.code == "AVOID_AGENT"
    ]
    assert alert.id is not None

    with pytest.raises(InvalidValue, match="justification"):
        acknowledge_alert(app, alert.id, "  ", CLINICIAN)
    outcome = acknowledge_alert(app, alert.id, "no alternative tolerated", CLINICIAN)
    assert outcome.entry_id == alert.id
    before = everything(app)
    with pytest.raises(InvalidValue, match="acknowledged by dr-test"):
        acknowledge_alert(app, alert.id, "again", CLINICIAN)
    assert everything(app) == before
