"""Run one scenario: a fresh database, a simulated clock moved day by day, the events applied
on the day they are recorded, the daily evaluation run every day, expectations checked on
their day exactly as the live scheduler would leave things."""

import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pathway.errors import ClinicalError
from persistence.errors import ConcurrencyConflict

from ..bootstrap import App, bootstrap, memory_app
from ..clock import SimulatedClock
from ..settings import Settings
from ..usecases import EnrolPatient, enrol_patient, patient_summary, run_daily_evaluation
from .events import SCENARIO_CLINICIAN, apply_event
from .loader import Scenario, ScenarioEvent

__all__ = ["ScenarioResult", "run_scenario"]


@dataclass
class ScenarioResult:
    scenario: Scenario
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def _enrolment(scenario: Scenario) -> EnrolPatient:
    """The scenario's patient as an enrolment command, its values checked by the use case as
    a form's are; without its two dates there is no course to run."""
    patient = scenario.patient
    return EnrolPatient(
        id=str(patient.get("id")),
        sex=patient.get("sex", "unknown"),
        birth_date=patient["birth_date"],
        enrolled_on=patient["enrolled_on"],
        diagnosis=patient.get("diagnosis", ""),
        anti_mda5=patient.get("anti_mda5", "unknown"),
        anti_ars=patient.get("anti_ars", "unknown"),
        ild_course=patient.get("ild_course"),
        risk_factors=tuple(patient.get("risk_factors") or ()),
        weight_kg=patient.get("weight_kg"),
        height_cm=patient.get("height_cm"),
    )


def _apply(app: App, pid: str, event: ScenarioEvent, result: ScenarioResult) -> None:
    before = app.store.fingerprint() if event.expect_refused else None
    refusal: str | None = None
    try:
        apply_event(app, pid, event)
    except (ClinicalError, ConcurrencyConflict) as error:
        refusal = str(error)
    label = f"event {event.index + 1} ({event.kind} on {event.on})"
    if event.expect_refused and refusal is None:
        result.failures.append(f"{label}: expected to be refused; the engine accepted it")
    elif not event.expect_refused and refusal is not None:
        result.failures.append(f"{label}: expected to be accepted; refused: {refusal}")
    elif before is not None and app.store.fingerprint() != before:
        result.failures.append(f"{label}: refused, but the database changed")


def _check(app: App, pid: str, expectation: dict[str, Any], result: ScenarioResult) -> None:
    as_of: date = expectation["as_of"]
    summary = patient_summary(app, pid, as_of)
    said: dict[str, list[str]] = {
        "alerts": sorted(summary.alert_codes()),
        "alerts_holding": sorted(summary.holding_alert_codes()),
        "alerts_withdrawn": sorted(summary.withdrawn_alert_codes()),
        "alerts_unacknowledged": sorted(summary.unacknowledged_alert_codes()),
        "proposed_triggers": [p.trigger for p in summary.evaluation.proposals],
        "recommendations": [r.code for r in summary.evaluation.recommendations],
        "recommendations_in_place": [
            r.code for r in summary.evaluation.recommendations if r.in_place
        ],
        "tasks_open": sorted(summary.task_kinds("open")),
        "tasks_overdue": sorted(summary.task_kinds("overdue")),
        "tasks_done": sorted(summary.task_kinds("done")),
    }
    fail = result.failures.append
    if "state" in expectation and expectation["state"] != summary.evaluation.state:
        fail(
            f"as_of {as_of}: state: expected {expectation['state']}; "
            f"engine said {summary.evaluation.state}"
        )
    if "recommendations_first" in expectation:
        first = said["recommendations"][:1]
        if first != [expectation["recommendations_first"]]:
            fail(
                f"as_of {as_of}: recommendations_first: expected "
                f"{expectation['recommendations_first']}; engine said {said['recommendations']}"
            )
    for name, values in said.items():
        for code in expectation.get(f"{name}_include") or []:
            if code not in values:
                fail(f"as_of {as_of}: {name}_include: expected {code}; engine said {values}")
        for code in expectation.get(f"{name}_exclude") or []:
            if code in values:
                fail(f"as_of {as_of}: {name}_exclude: expected no {code}; engine said {values}")


def run_scenario(
    scenario: Scenario, *, database_url: str | None = None, in_memory: bool = False
) -> ScenarioResult:
    """Run on a fresh temporary SQLite file (or the empty database at ``database_url``, or
    the memory store)."""
    clock = SimulatedClock(_enrolment(scenario).enrolled_on)
    if in_memory:
        return _run(scenario, memory_app(clock), clock)
    with tempfile.TemporaryDirectory(prefix="ildpath-scenario-") as folder:
        url = database_url or f"sqlite:///{Path(folder) / 'scenario.db'}"
        app = bootstrap(Settings(database_url=url), clock)
        try:
            return _run(scenario, app, clock)
        finally:
            app.engine.dispose()


def _run(scenario: Scenario, app: App, clock: SimulatedClock) -> ScenarioResult:
    result = ScenarioResult(scenario)
    command = _enrolment(scenario)
    start = command.enrolled_on
    try:
        enrol_patient(app, command, SCENARIO_CLINICIAN)
    except ClinicalError as error:
        result.failures.append(f"enrolment refused: {error}")
        return result
    events = sorted(scenario.events, key=lambda e: (max(e.recorded_on, start), e.index))
    checks = sorted(scenario.expectations, key=lambda x: x["as_of"])
    for early in (x for x in checks if x["as_of"] < start):
        result.failures.append(f"as_of {early['as_of']}: before enrolment ({start})")
    last = max([max(e.recorded_on, start) for e in events] + [x["as_of"] for x in checks] + [start])
    day = start
    while day <= last:
        clock.move_to(day)
        for event in (e for e in events if max(e.recorded_on, start) == day):
            _apply(app, command.id, event, result)
        run_daily_evaluation(app, day)
        for expectation in (x for x in checks if x["as_of"] == day):
            _check(app, command.id, expectation, result)
        day += timedelta(days=1)
    return result
