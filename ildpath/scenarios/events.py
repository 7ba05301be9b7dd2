"""Applying one scenario event through the use cases, as a person at the clinic would."""

from collections.abc import Callable
from datetime import date
from typing import Any

from pathway.errors import InvalidValue

from ..bootstrap import App
from ..usecases import (
    Actor,
    TriggerCommand,
    amend_phenotype,
    fire_trigger,
    record_observation,
    record_procedure,
    record_therapy,
    record_vaccination,
)
from .loader import ScenarioEvent

__all__ = ["SCENARIO_CLINICIAN", "apply_event"]

SCENARIO_CLINICIAN = Actor("scenario-clinician", "clinician")


def _mapping(event: ScenarioEvent) -> dict[str, Any]:
    if not isinstance(event.body, dict):
        raise InvalidValue(event.kind, event.body, "a mapping of fields")
    return dict(event.body)


def _observation(app: App, pid: str, event: ScenarioEvent, actor: Actor) -> None:
    values = {"oxygen": event.body} if event.kind == "oxygen" else _mapping(event)
    record_observation(app, pid, event.kind, values, event.on, actor)


def _therapy(app: App, pid: str, event: ScenarioEvent, actor: Actor) -> None:
    body = _mapping(event)
    unknown = set(body) - {"agent", "route", "dose_mg_per_day"}
    if unknown:
        raise InvalidValue(event.kind, sorted(unknown), "agent, route, dose_mg_per_day")
    record_therapy(
        app,
        pid,
        event.kind,
        body.get("agent"),
        event.on,
        actor,  # type: ignore[arg-type]
        route=body.get("route"),
        dose_mg_per_day=body.get("dose_mg_per_day"),
    )


def _trigger(app: App, pid: str, event: ScenarioEvent, actor: Actor) -> None:
    options = event.options
    command = TriggerCommand(
        str(event.body),
        event.on,
        options.get("reason"),
        options.get("outcome"),
        options.get("closing_reason"),
    )
    fire_trigger(app, pid, command, actor)


def _amend(app: App, pid: str, event: ScenarioEvent, actor: Actor) -> None:
    for name, value in _mapping(event).items():
        amend_phenotype(app, pid, str(name), value, event.on, actor, event.options.get("reason"))


def _named(record: Callable[[App, str, str, date, Actor], int]) -> Callable[..., None]:
    def apply(app: App, pid: str, event: ScenarioEvent, actor: Actor) -> None:
        record(app, pid, event.body, event.on, actor)

    return apply


_APPLY: dict[str, Callable[[App, str, ScenarioEvent, Actor], None]] = {
    "pft": _observation,
    "cmv": _observation,
    "hrct": _observation,
    "oxygen": _observation,
    "start": _therapy,
    "stop": _therapy,
    "procedure": _named(record_procedure),
    "vaccination": _named(record_vaccination),
    "trigger": _trigger,
    "amend": _amend,
}


def apply_event(app: App, patient_id: str, event: ScenarioEvent) -> None:
    actor = Actor(
        str(event.options.get("actor", SCENARIO_CLINICIAN.name)),
        str(event.options.get("role", SCENARIO_CLINICIAN.role)),
    )
    _APPLY[event.kind](app, patient_id, event, actor)
