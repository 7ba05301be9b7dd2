"""Apply one planned event through the one dispatcher, as the demo's two people would: the
coordinator records data, the clinician fires triggers and acknowledges alerts."""

from ..bootstrap import App
from ..usecases import Actor, Outcome, record_event
from .plan import PlannedEvent

__all__ = ["CLINICIAN", "COORDINATOR", "apply_event"]

COORDINATOR = Actor("demo-coordinator", "coordinator")
CLINICIAN = Actor("demo-clinician", "clinician")

_CLINICIANS_KINDS = ("trigger", "acknowledge")


def apply_event(app: App, patient_id: str, event: PlannedEvent) -> Outcome:
    """Record ``event`` on the app's current day; a refusal (ClinicalError) propagates."""
    actor = CLINICIAN if event.kind in _CLINICIANS_KINDS else COORDINATOR
    return record_event(app, patient_id, event.kind, event.data, event.on, actor)
