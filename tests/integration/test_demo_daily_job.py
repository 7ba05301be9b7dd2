"""The demo runs the scheduler's daily job every four weeks: because the daily evaluation
catches up the days it missed, the alerts are those of a job run every day."""

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ildpath.bootstrap import bootstrap
from ildpath.clock import SimulatedClock
from ildpath.demo.cohort import plan_cohort
from ildpath.demo.courses import ARCHETYPES
from ildpath.demo.replay import JOB_EVERY_DAYS, Replay
from ildpath.settings import Settings
from persistence.tables import AlertRow, PatientRow, TransitionRow

END = date(2026, 11, 20)
SEED = 5
TIME_DRIVEN = {
    "mda5_step_up",  # MDA5_STEP_UP_THERAPY on F + 4
    "mda5_life_threatening_late_exchange",  # PLASMA_EXCHANGE_OVERDUE
    "progressive_cyclophosphamide",  # CMV_MONITORING_OVERDUE
    "lost_to_follow_up",  # PFT_OVERDUE
}


def _alerts_and_transitions(path: Path, job_every_days: int) -> tuple[set[Any], set[Any]]:
    plans = [p for p in plan_cohort(len(ARCHETYPES), SEED, END) if p.archetype in TIME_DRIVEN]
    assert {p.archetype for p in plans} == TIME_DRIVEN
    app = bootstrap(Settings(database_url=f"sqlite:///{path}"), SimulatedClock(END))
    try:
        Replay(app, plans, SEED, END, job_every_days=job_every_days).run()
        with app.engine.connect() as connection:
            alerts = set(
                connection.execute(
                    select(
                        PatientRow.external_id,
                        AlertRow.code,
                        AlertRow.key,
                        AlertRow.raised_on,
                        AlertRow.acknowledged_by,
                    ).join(PatientRow, PatientRow.id == AlertRow.patient_id)
                )
            )
            transitions = set(
                connection.execute(
                    select(
                        PatientRow.external_id, TransitionRow.trigger, TransitionRow.clinical_on
                    ).join(PatientRow, PatientRow.id == TransitionRow.patient_id)
                )
            )
    finally:
        app.engine.dispose()
    return alerts, transitions


def test_alerts_are_raised_on_the_same_days_as_with_a_daily_job(tmp_path: Path) -> None:
    daily = _alerts_and_transitions(tmp_path / "daily.db", 1)
    demo = _alerts_and_transitions(tmp_path / "demo.db", JOB_EVERY_DAYS)
    codes = {code for _, code, *_ in daily[0]}
    assert {
        "MDA5_STEP_UP_THERAPY",
        "PLASMA_EXCHANGE_OVERDUE",
        "CMV_MONITORING_OVERDUE",
        "PFT_OVERDUE",
    } <= codes
    assert demo == daily
