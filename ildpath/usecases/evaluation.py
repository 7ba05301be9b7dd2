"""Evaluate a patient: raise the alerts that now hold and bring care tasks up to date.

Runs after every recorded event (alerts "raised when the therapy is recorded", §7) and daily
for every active patient (time-driven alerts and tasks, §8). A day the daily run missed is
caught up with what was known on that day, so nothing is raised in the past from a late entry
and nothing is lost while the scheduler was down.
"""

from datetime import date
from typing import Any

from pathway import Evaluation
from persistence.changes import ENGINE

from ..bootstrap import App
from .judging import judge
from .work import PatientWork

__all__ = ["apply_evaluation", "evaluate_patient"]


def apply_evaluation(
    work: PatientWork, day: date | None = None, *, daily: bool = False
) -> Evaluation:
    """Judge the patient on ``day`` (default: today) and write what follows (`judging`)."""
    day = day or work.today
    patient = work.patient
    stored = work.uow.patients.stored_tasks([patient.id]).get(patient.id, [])
    judgement = judge(
        work.record,
        stored,
        patient.last_evaluated_on,
        day,
        work.today,
        work.definition,
        daily=daily,
        written=work.written,
    )
    sets: dict[str, Any] = {}
    judged = judgement.judged_until
    if judged is not None and (
        patient.last_evaluated_on is None or judged > patient.last_evaluated_on
    ):
        sets["last_evaluated_on"] = judged
    if judgement.items or sets:
        work.write(judgement.items, sets)
    return judgement.evaluation


def evaluate_patient(app: App, external_id: str, as_of: date | None = None) -> Evaluation:
    """The daily run for one patient: every day since the last run, up to ``as_of`` (today)."""
    with app.unit_of_work() as uow:
        work = PatientWork.open(app, uow, external_id, ENGINE, closed_refused=False)
        return apply_evaluation(work, as_of or work.today, daily=True)
