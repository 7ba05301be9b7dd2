"""Applying one scenario event through the one dispatcher, as a person at the clinic would."""

from typing import Any

from ..bootstrap import App
from ..usecases import Actor, record_event
from .loader import ScenarioEvent

__all__ = ["SCENARIO_CLINICIAN", "apply_event", "event_body"]

SCENARIO_CLINICIAN = Actor("scenario-clinician", "clinician")

_TRIGGER_OPTIONS = ("reason", "outcome", "closing_reason")


def event_body(event: ScenarioEvent) -> Any:
    """The event's body as the dispatcher takes it: a trigger's options and an amendment's
    reason are written beside the event in FORMAT.md, and belong in its body."""
    if event.kind == "trigger":
        options = {k: event.options[k] for k in _TRIGGER_OPTIONS if k in event.options}
        return {"trigger": event.body, **options}
    if event.kind == "amend" and isinstance(event.body, dict) and "reason" in event.options:
        return {**event.body, "reason": event.options["reason"]}
    return event.body


def apply_event(app: App, patient_id: str, event: ScenarioEvent) -> None:
    actor = Actor(
        str(event.options.get("actor", SCENARIO_CLINICIAN.name)),
        str(event.options.get("role", SCENARIO_CLINICIAN.role)),
    )
    record_event(app, patient_id, event.kind, event_body(event), event.on, actor)
