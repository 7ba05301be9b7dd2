"""The state machine (§2-3): triggers allowed per state, referral return, terminal close."""

import pytest

from pathway.errors import InvalidTransition
from pathway.machine import STATES, allowed_triggers, fire

V = "test"


@pytest.mark.parametrize(
    ("trigger", "source", "dest"),
    [
        ("start_induction", "diagnosis", "induction"),
        ("start_induction", "progression", "induction"),
        ("achieve_response", "induction", "monitoring"),
        ("achieve_response", "salvage", "monitoring"),
        ("detect_progression", "monitoring", "progression"),
        ("declare_refractory", "diagnosis", "salvage"),
        ("declare_refractory", "induction", "salvage"),
        ("declare_refractory", "progression", "salvage"),
        ("refer_transplant", "salvage", "transplant_referral"),
        ("close", "monitoring", "closed"),
    ],
)
def test_each_allowed_trigger_moves_the_patient_to_its_destination(trigger, source, dest):
    assert fire(V, trigger, source) == dest


@pytest.mark.parametrize("state", STATES[:-1])
def test_every_non_terminal_state_can_be_closed(state):
    assert fire(V, "close", state) == "closed"


def test_detect_progression_from_induction_is_refused_naming_the_state_and_allowed_triggers():
    with pytest.raises(InvalidTransition) as refused:
        fire(V, "detect_progression", "induction")

    message = str(refused.value)
    assert "'induction'" in message
    assert "achieve_response, declare_refractory, refer_transplant, close" in message
    assert refused.value.allowed == (
        "achieve_response",
        "declare_refractory",
        "refer_transplant",
        "close",
    )


def test_achieve_response_from_diagnosis_is_refused():
    with pytest.raises(InvalidTransition) as refused:
        fire(V, "achieve_response", "diagnosis")

    assert refused.value.state == "diagnosis"
    assert "start_induction" in str(refused.value)


@pytest.mark.parametrize(
    "origin", ["diagnosis", "induction", "monitoring", "progression", "salvage"]
)
def test_return_from_referral_goes_back_to_the_state_the_referral_left(origin):
    referred = fire(V, "refer_transplant", origin)

    assert referred == "transplant_referral"
    assert fire(V, "return_from_referral", referred, referral_origin=origin) == origin


def test_return_from_referral_is_only_allowed_from_transplant_referral():
    with pytest.raises(InvalidTransition):
        fire(V, "return_from_referral", "monitoring", referral_origin="monitoring")


def test_referral_cannot_be_made_from_transplant_referral_itself():
    assert "refer_transplant" not in allowed_triggers("transplant_referral")


def test_closed_is_terminal_with_no_trigger_allowed():
    assert allowed_triggers("closed") == ()


@pytest.mark.parametrize("trigger", ["start_induction", "return_from_referral", "close"])
def test_any_trigger_from_closed_is_refused_as_terminal(trigger):
    with pytest.raises(InvalidTransition) as refused:
        fire(V, trigger, "closed")

    assert "'closed'" in str(refused.value)
    assert "terminal" in str(refused.value)
