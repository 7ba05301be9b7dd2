"""The quiet horizon never hides a change: replaying every day of real-looking records, judging
again on any day up to a patient's horizon raises no new alert and leaves every task as it was.

The records are those the clinical scenarios leave (late entries, amendments, closes ...), a
synthetic cohort of the benchmark's kind typed in on the day of each entry, and one course for
each window the rules reckon from the day asked. Each is judged
day by day as the daily run judges it (the alerts of a day are part of the next day's record),
from enrolment to well past its last entry, with no cap on the horizon."""

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from bench.cohort import patient_lines
from bench.ingest import CLINICIAN
from ildpath.bootstrap import bootstrap
from ildpath.clock import SimulatedClock
from ildpath.scenarios import load_scenario, run_scenario
from ildpath.settings import Settings
from ildpath.usecases.bulk_import import import_histories
from ildpath.usecases.judging import unraised, with_alert
from pathway import PatientRecord, evaluate
from pathway.definition import PathwayDefinition, default_definition
from pathway.horizon import quiet_until
from pathway.record import ENTRY_PARTS
from persistence.records import load_record
from persistence.tables import PatientRow
from tests.unit.builders import patient

SCENARIOS = sorted((Path(__file__).parents[1] / "scenarios").glob("*/*.yaml"))
TODAY = date(2026, 11, 21)
BEYOND = timedelta(days=400)
NO_CAP = date.max


def _records(url: str, day: date) -> list[PatientRecord]:
    app = bootstrap(Settings(database_url=url), SimulatedClock(day), upgrade=False)
    try:
        with Session(app.engine) as session:
            patients = session.exec(select(PatientRow).order_by(PatientRow.id)).all()
            return [load_record(session, p) for p in patients]
    finally:
        app.engine.dispose()


def _last_day(record: PatientRecord) -> date:
    return max([record.enrolled_on, *(max(e.on, e.recorded_on) for e in record.entries())])


def hidden_changes(record: PatientRecord, definition: PathwayDefinition, until: date) -> list[str]:
    """Judge ``record`` (its alerts set aside) on every day from enrolment to ``until``, and
    name every day inside an earlier day's horizon whose judgement differs from that day's."""
    record = replace(record, alerts=())
    judged: dict[date, tuple[list[str], tuple[Any, ...], date]] = {}
    day = record.enrolled_on
    while day <= until:
        evaluation = evaluate(record, day, definition)
        fresh = unraised(record.alerts, evaluation.alerts)
        horizon = quiet_until(record, evaluation, definition, NO_CAP)
        judged[day] = ([a.key for a in fresh], evaluation.tasks, horizon)
        for alert in fresh:
            record = with_alert(record, alert, day)
        day += timedelta(days=1)
    hidden: list[str] = []
    for day, (_, tasks, horizon) in judged.items():
        later = day + timedelta(days=1)
        while later <= min(horizon, until):
            fresh_later, tasks_later, _ = judged[later]
            if fresh_later or tasks_later != tasks:
                hidden.append(
                    f"{record.patient_id}: quiet from {day} until {horizon}, but {later} "
                    f"raises {fresh_later} or changes tasks"
                )
                break
            later += timedelta(days=1)
    return hidden


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_no_scenario_changes_inside_a_horizon(path: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'scenario.db'}"
    run_scenario(load_scenario(path), database_url=url)
    for record in _records(url, TODAY):
        assert hidden_changes(record, default_definition(), _last_day(record) + BEYOND) == []


def _as_typed_on_the_day(record: PatientRecord) -> PatientRecord:
    """The imported history as if each entry had been recorded on its clinical day (an import
    records everything today, which would leave nothing to replay)."""

    def on_the_day(entries: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(replace(e, recorded_on=max(e.on, record.enrolled_on)) for e in entries)

    typed: dict[str, Any] = {part: on_the_day(getattr(record, part)) for part in ENTRY_PARTS}
    return replace(record, **typed)


def test_no_synthetic_patient_changes_inside_a_horizon(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cohort.db'}"
    app = bootstrap(Settings(database_url=url), SimulatedClock(TODAY))
    lines = list(patient_lines(1, 24, TODAY))
    import_histories(app, lambda: iter(lines), CLINICIAN, judge=False)
    app.engine.dispose()
    hidden = [
        change
        for record in _records(url, TODAY)
        for change in hidden_changes(
            _as_typed_on_the_day(record), default_definition(), TODAY + BEYOND
        )
    ]
    assert hidden == []


WINDOWS = {
    "high risk for a year after detected progression": (
        patient(enrolled="2026-01-05")
        .start("2026-01-05", "prednisone", dose=50)
        .transition("2026-01-05", "start_induction")
        .transition("2026-02-01", "achieve_response")
        .transition("2026-03-02", "detect_progression", reason="new GGO on HRCT")
        .transition("2026-03-03", "start_induction")
        .transition("2026-04-01", "achieve_response")
        .pft("2026-04-02", fvc=80, dlco=60)
        .pft("2026-07-01", fvc=80, dlco=60)
        .pft("2026-10-01", fvc=80, dlco=60)
        .pft("2027-01-04", fvc=80, dlco=60)
        .build()
    ),
    "triple therapy deadline in anti-MDA5 disease": (
        patient(enrolled="2026-01-05", anti_mda5="positive", ild_course="rapidly_progressive")
        .start("2026-01-05", "prednisone", dose=60)
        .start("2026-01-06", "tacrolimus", dose=4)
        .build()
    ),
    "yearly influenza vaccination": (
        patient(enrolled="2026-01-05")
        .vaccination("2026-01-20", "influenza")
        .vaccination("2027-01-25", "influenza")
        .build()
    ),
}


@pytest.mark.parametrize("name", WINDOWS)
def test_no_window_reckoned_from_the_day_closes_inside_a_horizon(name: str) -> None:
    record = WINDOWS[name]
    assert hidden_changes(record, default_definition(), _last_day(record) + BEYOND) == []
