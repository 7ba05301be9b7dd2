"""Use cases: one transaction each, named for what a person does in the clinic."""

from .alerts import acknowledge_alert
from .daily_run import run_daily_evaluation
from .enrolment import EnrolPatient, amend_phenotype, enrol_patient
from .evaluation import evaluate_patient
from .recording import (
    record_observation,
    record_procedure,
    record_therapy,
    record_vaccination,
)
from .summary import PatientSummary, patient_summary
from .triggers import TriggerCommand, fire_trigger
from .work import Actor

__all__ = [
    "Actor",
    "EnrolPatient",
    "PatientSummary",
    "TriggerCommand",
    "acknowledge_alert",
    "amend_phenotype",
    "enrol_patient",
    "evaluate_patient",
    "fire_trigger",
    "patient_summary",
    "record_observation",
    "record_procedure",
    "record_therapy",
    "record_vaccination",
    "run_daily_evaluation",
]
