"""Use cases: one transaction each, named for what a person does in the clinic. Each write
returns its `Outcome`; every write reaches the tables through the one writer
(`persistence.writer`) by way of the store's ports (`persistence.ports`)."""

from persistence.changes import ENGINE, Actor

from .alerts import acknowledge_alert
from .corrections import correct_entry, enter_in_error
from .daily_run import run_daily_evaluation
from .enrolment import EnrolPatient, amend_phenotype, enrol_patient
from .evaluation import evaluate_patient
from .events import EVENT_KINDS, event_command, record_event
from .outcome import Outcome, TaskMoved
from .recording import record_given, record_observation, record_therapy
from .summary import PatientSummary, patient_summary
from .triggers import TriggerCommand, fire_trigger

__all__ = [
    "ENGINE",
    "EVENT_KINDS",
    "Actor",
    "EnrolPatient",
    "Outcome",
    "PatientSummary",
    "TaskMoved",
    "TriggerCommand",
    "acknowledge_alert",
    "amend_phenotype",
    "correct_entry",
    "enrol_patient",
    "enter_in_error",
    "evaluate_patient",
    "event_command",
    "fire_trigger",
    "patient_summary",
    "record_event",
    "record_given",
    "record_observation",
    "record_therapy",
    "run_daily_evaluation",
]
