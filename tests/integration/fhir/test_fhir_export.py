"""Exporting the pathway as FHIR: a collection Bundle that fhir.resources validates as R4B,
with the CarePlan in the patient's state, a Task per care task, a DetectedIssue per alert
(the acknowledgement as mitigation), AuditEvents for transitions and record views, and the
CarePlan's Provenance. Exporting writes nothing but its own entry in the access log."""

import json
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from ildpath.fhir import import_bundle
from ildpath.fhir.exporting import export_cohort, export_patient
from ildpath.usecases import patient_summary
from tests.integration.apps import CLINICIAN, clinic, enrol

from .course import IMPORT_DAY, PATIENT, row_counts
from .example_bundle import EXAMPLE, JUSTIFICATION, build_example, prepare


@pytest.fixture
def app(tmp_path: Path):
    with clinic(f"sqlite:///{tmp_path}/clinic.db", IMPORT_DAY) as (app, _):
        prepare(app)
        yield app


def _resources(text: str, kind: str) -> list[dict[str, Any]]:
    data = json.loads(text)
    return [e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == kind]


def test_export_is_a_collection_bundle_valid_as_fhir_r4b(app):
    text = export_patient(app, PATIENT, CLINICIAN, via="cli")

    bundle = Bundle.model_validate_json(text)

    assert bundle.type == "collection"
    urls = {e.fullUrl for e in bundle.entry}
    assert set(_references(json.loads(text))) <= urls, "every reference resolves in the bundle"


def _references(node: Any) -> list[str]:
    """Every ``reference`` value in a JSON tree."""
    if isinstance(node, dict):
        found = [node["reference"]] if isinstance(node.get("reference"), str) else []
        return found + [r for value in node.values() for r in _references(value)]
    if isinstance(node, list):
        return [r for value in node for r in _references(value)]
    return []


def test_care_plan_carries_the_state_open_tasks_and_recommendations(app):
    text = export_patient(app, PATIENT, CLINICIAN, via="cli")

    (plan,) = _resources(text, "CarePlan")
    state = next(e for e in plan["extension"] if e["url"].endswith("/pathway-state"))
    assert state["valueCode"] == "induction"
    assert plan["status"] == "active"
    summary = patient_summary(app, PATIENT)
    open_tasks = [t for t in summary.tasks if t.status == "open"]
    linked = [a for a in plan["activity"] if "reference" in a]
    assert len(linked) == len(open_tasks)
    advice = [a["detail"] for a in plan["activity"] if "detail" in a]
    assert [d["code"]["text"] for d in advice] == [
        r.code for r in summary.evaluation.recommendations
    ]
    assert all("source:" in d["description"] for d in advice)


def test_one_task_per_care_task_with_status_and_due_date(app):
    text = export_patient(app, PATIENT, CLINICIAN, via="cli")

    tasks = {t["id"]: t for t in _resources(text, "Task")}
    rows = patient_summary(app, PATIENT).tasks
    assert len(tasks) == len(rows)
    for row in rows:
        task = tasks[f"task-{row.id}"]
        assert task["code"]["text"] == row.kind
        assert task["status"] == {"open": "requested", "done": "completed"}.get(
            row.status, "cancelled"
        )
        assert task["restriction"]["period"]["end"] == row.due_on.isoformat()


def test_acknowledged_alert_is_a_detected_issue_with_its_mitigation(app):
    text = export_patient(app, PATIENT, CLINICIAN, via="cli")

    issues = {i["code"]["text"]: i for i in _resources(text, "DetectedIssue")}
    cmv = issues["CMV_REACTIVATION"]
    assert cmv["severity"] == "high"
    (mitigation,) = cmv["mitigation"]
    assert mitigation["action"]["text"] == JUSTIFICATION
    assert mitigation["author"]["display"] == CLINICIAN.name
    assert "mitigation" not in issues["TRANSPLANT_REFERRAL_NEEDED"]


def test_audit_events_for_transitions_and_record_views_and_provenance(app):
    text = export_patient(app, PATIENT, CLINICIAN, via="cli")

    events = _resources(text, "AuditEvent")
    (transition,) = [e for e in events if e["action"] == "U"]
    assert transition["subtype"][0]["code"] == "start_induction"
    assert transition["agent"][0]["name"] == CLINICIAN.name
    details = {d["type"]: d["valueString"] for d in transition["entity"][0]["detail"]}
    assert details["from"] == "diagnosis" and details["to"] == "induction"
    assert details["pathway_version"] == app.definition.version
    views = [e for e in events if e["action"] == "R"]
    assert [v["agent"][0]["name"] for v in views] == ["coord-anna"]
    (provenance,) = _resources(text, "Provenance")
    (device,) = _resources(text, "Device")
    assert any(v["value"] == app.definition.version for v in device["version"])
    assert provenance["agent"][0]["who"]["display"] == "ildpath"


def test_export_writes_nothing_but_its_view_in_the_access_log(app):
    before = row_counts(app)

    export_patient(app, PATIENT, CLINICIAN, via="cli")
    again = export_patient(app, PATIENT, CLINICIAN, via="cli")

    after = row_counts(app)
    assert after["record_view"] == before["record_view"] + 2
    assert {k: v for k, v in after.items() if k != "record_view"} == {
        k: v for k, v in before.items() if k != "record_view"
    }
    exported_views = [e for e in _resources(again, "AuditEvent") if e["action"] == "R"]
    assert any(
        d["valueString"] == "fhir export" for e in exported_views for d in e["entity"][0]["detail"]
    )


def test_cohort_export_holds_every_patient_and_logs_one_listing_naming_each(app):
    enrol(app, "P-002", enrolled_on=IMPORT_DAY)
    before = row_counts(app)

    text = export_cohort(app, CLINICIAN, via="cli")

    Bundle.model_validate_json(text)
    plans = _resources(text, "CarePlan")
    assert len(plans) == 2
    assert len(_resources(text, "Device")) == 1
    after = row_counts(app)
    assert after["listing_view"] == before["listing_view"] + 1
    assert after["listing_view_patient"] == before["listing_view_patient"] + 2
    assert after["record_view"] == before["record_view"]


def test_the_example_in_docs_is_current_and_valid(tmp_path):
    current = EXAMPLE.read_text(encoding="utf-8")

    Bundle.model_validate_json(current)
    assert current == build_example(tmp_path), (
        "docs/example-export-bundle.json is out of date: "
        "python -m tests.integration.fhir.example_bundle"
    )


def test_an_exported_patient_imports_into_an_empty_clinic_with_its_phenotype(app, tmp_path):
    text = export_patient(app, PATIENT, CLINICIAN, via="cli")

    with clinic(f"sqlite:///{tmp_path}/empty.db", IMPORT_DAY) as (empty, _):
        report = import_bundle(empty, text, CLINICIAN)
        phenotype = patient_summary(empty, PATIENT).phenotype

    statuses = {line.resource.split("/")[0]: line.status for line in report.lines()}
    assert statuses["Patient"] == "created"
    assert {statuses[kind] for kind in ("CarePlan", "Task", "DetectedIssue")} == {"not_imported"}
    assert (phenotype.anti_mda5, phenotype.ild_course) == ("positive", "rapidly_progressive")
