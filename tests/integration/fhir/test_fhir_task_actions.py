"""A person's actions on tasks (§8) in the FHIR export: a declined task is ``rejected`` with
its reason as ``statusReason``; an assigned task's ``owner`` is the assignee; a rescheduled
task's ``restriction.period.end`` is the new date, the engine's date kept in an extension. The
bundle still validates as R4B."""

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from ildpath.accounts import add_user
from ildpath.fhir.exporting import export_patient
from ildpath.usecases import patient_summary
from ildpath.usecases.task_actions import assign_task, decline_task, reschedule_task
from tests.integration.apps import CLINICIAN, clinic

from .course import IMPORT_DAY, PATIENT
from .example_bundle import prepare


@pytest.fixture
def app(tmp_path: Path):
    with clinic(f"sqlite:///{tmp_path}/clinic.db", IMPORT_DAY) as (app, _):
        prepare(app)
        yield app


def _tasks(text: str) -> dict[str, dict[str, Any]]:
    data = json.loads(text)
    found = [e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "Task"]
    return {t["code"]["text"]: t for t in found if t["status"] != "completed"}


def test_declined_rescheduled_and_assigned_tasks_export_as_fhir_says_them(app) -> None:
    open_rows = {t.kind: t for t in patient_summary(app, PATIENT).tasks if t.status == "open"}
    declinable = next(k for k in open_rows if k.startswith("vaccination_"))
    other = next(k for k in open_rows if k != declinable)
    add_user(app, "anna.rossi", "coordinator", "Ossigeno-Alto-2026", by="system")
    decline_task(app, open_rows[declinable].id or 0, "declined by the patient", CLINICIAN)
    new_due = app.clock.today() + timedelta(days=40)
    reschedule_task(app, open_rows[other].id or 0, new_due, "clinic closed", CLINICIAN)
    assign_task(app, open_rows[other].id or 0, "anna.rossi", CLINICIAN)

    text = export_patient(app, PATIENT, CLINICIAN, via="cli")

    Bundle.model_validate_json(text)
    tasks = _tasks(text)
    declined, moved = tasks[declinable], tasks[other]
    assert declined["status"] == "rejected"
    assert declined["statusReason"] == {"text": "declined by the patient"}
    assert moved["restriction"]["period"]["end"] == new_due.isoformat()
    engine = [e for e in moved["extension"] if e["url"].endswith("/engine-due-date")]
    assert engine == [{"url": engine[0]["url"], "valueString": open_rows[other].due_on.isoformat()}]
    assert moved["owner"] == {"display": "anna.rossi"}
