"""When the daily run may leave a patient unread: only while its judgement cannot change, nobody
wrote to it since it was judged, and the definition (and the longest quiet spell) is the one it
was judged under."""

from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import select

from ildpath.bootstrap import App, bootstrap
from ildpath.clock import SimulatedClock
from ildpath.settings import Settings
from ildpath.usecases import record_observation, run_daily_evaluation
from persistence.tables import PatientRow

from .apps import CLINICIAN, clinic, enrol

ENROLLED = date(2026, 3, 2)
JUDGED = ENROLLED + timedelta(days=1)


def _patient(app: App) -> PatientRow:
    with app.engine.connect() as db:
        return db.execute(select(PatientRow)).one()  # type: ignore[return-value]


def _quiet_patient(app: App, clock: SimulatedClock) -> date:
    """A patient enrolled with a first PFT and judged on the day after: the day of the entries
    is followed by a day that may differ, then a quiet spell."""
    enrol(app)
    record_observation(app, "P-001", "pft", {"fvc_pct": 80, "dlco_pct": 70}, ENROLLED, CLINICIAN)
    assert run_daily_evaluation(app, ENROLLED) == 1
    assert _patient(app).quiet_until == ENROLLED
    clock.move_to(JUDGED)
    assert run_daily_evaluation(app, JUDGED) == 1
    quiet = _patient(app).quiet_until
    assert quiet is not None and quiet > JUDGED
    return quiet


def test_a_quiet_patient_is_carried_to_the_day_without_being_judged(database_url: str) -> None:
    with clinic(database_url, ENROLLED) as (app, clock):
        quiet = _quiet_patient(app, clock)
        next_day = JUDGED + timedelta(days=1)
        clock.move_to(next_day)
        assert run_daily_evaluation(app, next_day) == 0
        assert _patient(app).last_evaluated_on == next_day
        clock.move_to(quiet + timedelta(days=1))
        assert run_daily_evaluation(app, quiet + timedelta(days=1)) == 1


def test_a_write_makes_the_next_daily_run_judge_the_patient_again(database_url: str) -> None:
    with clinic(database_url, ENROLLED) as (app, clock):
        _quiet_patient(app, clock)
        next_day = JUDGED + timedelta(days=1)
        clock.move_to(next_day)
        record_observation(app, "P-001", "cmv", {"iu_per_ml": 0}, next_day, CLINICIAN)
        assert run_daily_evaluation(app, next_day) == 1


def test_judging_everyone_ignores_quiet_spells(database_url: str) -> None:
    with clinic(database_url, ENROLLED) as (app, clock):
        _quiet_patient(app, clock)
        next_day = JUDGED + timedelta(days=1)
        clock.move_to(next_day)
        assert run_daily_evaluation(app, next_day, everyone=True) == 1


@pytest.mark.writes_outside_the_writer  # the stored day is set back by hand
def test_another_definition_or_longest_quiet_spell_judges_again(
    database_url: str, tmp_path: Path
) -> None:
    with clinic(database_url, ENROLLED) as (app, clock):
        _quiet_patient(app, clock)
    next_day = JUDGED + timedelta(days=1)
    packaged = resources.files("pathway").joinpath("definition.yaml").read_text(encoding="utf-8")
    reviewed = tmp_path / "definition.yaml"
    reviewed.write_text(packaged.replace("fvc_decline_points: 5", "fvc_decline_points: 4"))
    assert reviewed.read_text(encoding="utf-8") != packaged
    for settings in (
        Settings(database_url=database_url, definition=reviewed),
        Settings(database_url=database_url, longest_quiet_days=0),
        Settings(database_url=database_url, longest_quiet_days=30),
    ):
        other = bootstrap(settings, SimulatedClock(next_day), upgrade=False)
        try:
            with other.engine.begin() as db:
                db.execute(PatientRow.__table__.update().values(last_evaluated_on=JUDGED))  # type: ignore[attr-defined]
            assert run_daily_evaluation(other, next_day) == 1
        finally:
            other.engine.dispose()


def test_with_no_quiet_spell_every_patient_is_judged_every_day(database_url: str) -> None:
    settings = Settings(database_url=database_url, longest_quiet_days=0)
    clock = SimulatedClock(ENROLLED)
    app = bootstrap(settings, clock)
    try:
        enrol(app)
        for offset in range(4):
            day = ENROLLED + timedelta(days=offset)
            clock.move_to(day)
            assert run_daily_evaluation(app, day) == 1
        assert _patient(app).quiet_until == day
    finally:
        app.engine.dispose()
