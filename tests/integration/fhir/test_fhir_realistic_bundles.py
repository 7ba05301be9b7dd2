"""Bundles as Synthea, Epic and Cerner write them (``tests/fixtures/fhir``, synthetic): each
imports its patient, medications, results, procedures and immunizations, every entry with the
status its ``.expected.json`` says; re-importing writes nothing; and the pathway's judgement of
the imported patient is what typing the same course gives (``.typed.yaml``)."""

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ildpath.bootstrap import App
from ildpath.fhir import ImportReport, import_bundle
from ildpath.scenarios import load_scenario
from ildpath.scenarios.events import apply_event
from ildpath.scenarios.runner import _enrolment
from ildpath.usecases import enrol_patient, patient_summary
from tests.integration.apps import CLINICIAN, clinic

from .course import dump

CORPUS = Path(__file__).parents[2] / "fixtures" / "fhir"
EXPECTED = sorted(CORPUS.rglob("*.expected.json"))


def _expected(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _day(expected: dict[str, Any], name: str) -> date:
    days = expected.get("import_days") or {}
    return date.fromisoformat(days.get(name, expected["today"]))


def _import_chain(app: App, clock: Any, expected: dict[str, Any]) -> dict[str, ImportReport]:
    reports = {}
    for name in expected["import_order"]:
        clock.move_to(_day(expected, name))
        data = (CORPUS / name).read_bytes()
        reports[name] = import_bundle(app, data, CLINICIAN)
    return reports


@pytest.mark.parametrize("path", EXPECTED, ids=lambda p: p.stem)
def test_each_entry_of_a_realistic_bundle_has_its_expected_status(tmp_path: Path, path: Path):
    expected = _expected(path)
    first = _day(expected, expected["import_order"][0])
    with clinic(f"sqlite:///{tmp_path}/clinic.db", first) as (app, clock):
        reports = _import_chain(app, clock, expected)
        report = reports[expected["bundle"]]
        said = {line.index: (line.status, line.reason) for line in report.lines()}
        wrong = [
            f"entry {e['index']} {e['resource']}: expected {e['status']} ({e['why']}); "
            f"import said {said.get(e['index'])}"
            for e in expected["entries"]
            if said.get(e["index"], ("missing",))[0] != e["status"]
        ]
        assert not wrong, "\n".join(wrong)
        assert {k: v for k, v in report.counts().items() if v} == {
            k: v for k, v in expected["counts"].items() if v
        }
        if "phenotype" in expected:
            summary = patient_summary(app, expected["patient"])
            for name, value in expected["phenotype"].items():
                if name in ("why", "needs_completion"):
                    continue
                assert getattr(summary.patient, name) == value, name
        before = dump(app)
        again = import_bundle(app, (CORPUS / expected["bundle"]).read_bytes(), CLINICIAN)
        assert dump(app) == before, "re-importing writes nothing"
        assert not again.counts()["created"]


def _judgement(app: App, patient: str, day: date) -> dict[str, Any]:
    summary = patient_summary(app, patient, day)
    return {
        "state": summary.evaluation.state,
        "alerts": sorted(summary.alert_codes()),
        "alerts_holding": sorted(summary.holding_alert_codes()),
        "recommendations": [r.code for r in summary.evaluation.recommendations],
        "proposed_triggers": [p.trigger for p in summary.evaluation.proposals],
        "tasks_open": sorted(
            (t.kind, (t.rescheduled_to or t.due_on).isoformat())
            for t in summary.tasks
            if t.status == "open"
        ),
        "observations": sorted(
            (o.kind, o.clinical_on.isoformat(), o.fvc_pct, o.dlco_pct, o.iu_per_ml, o.comparator)
            for o in summary.standing_observations()
        ),
        "therapies": sorted(
            (
                c.agent,
                c.start.on.isoformat(),
                c.stopped_on.isoformat() if c.stopped_on else None,
                c.start.route,
                c.start.dose,
                c.start.unit,
                c.start.every,
            )
            for c in summary.therapy_courses()
        ),
    }


TYPED = [p for p in EXPECTED if "typed" in _expected(p) and _expected(p)["bundle"] in
         _expected(p)["import_order"][:1]]  # fmt: skip


@pytest.mark.parametrize("path", TYPED, ids=lambda p: p.stem)
def test_the_imported_course_is_judged_as_the_typed_course(tmp_path: Path, path: Path):
    expected = _expected(path)
    scenario = load_scenario(CORPUS / expected["typed"])
    last = max(_day(expected, name) for name in expected["import_order"])
    first = _day(expected, expected["import_order"][0])
    with clinic(f"sqlite:///{tmp_path}/imported.db", first) as (app, clock):
        _import_chain(app, clock, expected)
        clock.move_to(last)
        imported = _judgement(app, expected["patient"], last)
    with clinic(f"sqlite:///{tmp_path}/typed.db", first) as (app, clock):
        command = _enrolment(scenario)
        enrol_patient(app, command, CLINICIAN)
        for event in sorted(scenario.events, key=lambda e: (e.recorded_on, e.index)):
            clock.move_to(max(event.recorded_on, first))
            apply_event(app, command.id, event)
        clock.move_to(last)
        typed = _judgement(app, command.id, last)
    assert imported == typed
