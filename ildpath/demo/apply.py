"""Apply one planned event through the use cases, as the demo's two people would: the
coordinator records data, the clinician fires triggers and acknowledges alerts."""

from collections.abc import Callable

from ..bootstrap import App
from ..usecases import (
    Actor,
    TriggerCommand,
    acknowledge_alert,
    amend_phenotype,
    fire_trigger,
    record_observation,
    record_procedure,
    record_therapy,
    record_vaccination,
)
from .plan import PlannedEvent

__all__ = ["CLINICIAN", "COORDINATOR", "apply_event"]

COORDINATOR = Actor("demo-coordinator", "coordinator")
CLINICIAN = Actor("demo-clinician", "clinician")

_OBSERVATIONS = ("pft", "cmv", "hrct", "oxygen")


def _observation(app: App, pid: str, event: PlannedEvent) -> None:
    record_observation(app, pid, event.kind, event.data, event.on, COORDINATOR)


def _therapy(app: App, pid: str, event: PlannedEvent) -> None:
    data = event.data
    record_therapy(
        app,
        pid,
        event.kind,
        data["agent"],
        event.on,
        COORDINATOR,
        route=data.get("route"),
        dose_mg_per_day=data.get("dose_mg_per_day"),
    )


def _procedure(app: App, pid: str, event: PlannedEvent) -> None:
    record_procedure(app, pid, event.data["kind"], event.on, COORDINATOR)


def _vaccination(app: App, pid: str, event: PlannedEvent) -> None:
    record_vaccination(app, pid, event.data["kind"], event.on, COORDINATOR)


def _trigger(app: App, pid: str, event: PlannedEvent) -> None:
    data = event.data
    command = TriggerCommand(
        data["trigger"],
        event.on,
        data.get("reason"),
        data.get("outcome"),
        data.get("closing_reason"),
    )
    fire_trigger(app, pid, command, CLINICIAN)


def _amend(app: App, pid: str, event: PlannedEvent) -> None:
    data = event.data
    amend_phenotype(
        app, pid, data["field"], data["value"], event.on, COORDINATOR, data.get("reason")
    )


def _acknowledge(app: App, pid: str, event: PlannedEvent) -> None:
    acknowledge_alert(app, event.data["alert_id"], event.data["justification"], CLINICIAN)


_APPLY: dict[str, Callable[[App, str, PlannedEvent], None]] = {
    **dict.fromkeys(_OBSERVATIONS, _observation),
    "start": _therapy,
    "stop": _therapy,
    "procedure": _procedure,
    "vaccination": _vaccination,
    "trigger": _trigger,
    "amend": _amend,
    "acknowledge": _acknowledge,
}


def apply_event(app: App, patient_id: str, event: PlannedEvent) -> None:
    """Record ``event`` on the app's current day; a refusal (ClinicalError) propagates."""
    _APPLY[event.kind](app, patient_id, event)
