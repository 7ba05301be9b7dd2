"""The cohort the dashboard's pages are read on (`bench.pages`): the benchmark's synthetic
cohort (`bench.cohort`, bulk-imported and judged as a clinic's import is), with a registry's
spread of states a two-year import alone does not reach, made the way a clinic makes it,
through the use cases: a few patients in monitoring found progressing, a few in induction
declared refractory (salvage), a few referred for transplant, and one in a hundred newly
enrolled (diagnosis). Then the scheduler's daily run judges everyone on the next morning, the
day the pages are read: open and overdue tasks, alerts that hold and alerts already cleared.
"""

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from ildpath.bootstrap import App, bootstrap
from ildpath.clock import SimulatedClock
from ildpath.settings import Settings
from ildpath.usecases import EnrolPatient, TriggerCommand, enrol_patient, fire_trigger
from pathway.errors import ClinicalError

from .cohort import patient
from .databases import Backend
from .ingest import CLINICIAN, bulk_ingest
from .reevaluation import daily_run_in_child

__all__ = ["MOVES", "NEW_EVERY", "page_cohort"]

MOVES = (
    (25, "monitoring", "detect_progression", "FVC and symptoms worse since the last visit"),
    (25, "induction", "declare_refractory", "no response to induction"),
    (60, "monitoring", "refer_transplant", "assessment for lung transplantation"),
)
"""(one patient in every n, in state, the trigger a clinician fires, its reason)."""
NEW_EVERY = 100
"""One patient newly enrolled for every ``NEW_EVERY`` in the cohort."""


def _move(app: App, every: int, state: str, trigger: str, reason: str) -> dict[str, int]:
    """Fire ``trigger`` for one patient in ``every`` of those in ``state``; a trigger the
    pathway refuses (its guard does not hold) is counted and left."""
    with app.engine.connect() as connection:
        ids = connection.execute(
            text("SELECT external_id FROM patient WHERE state = :state ORDER BY id"),
            {"state": state},
        ).scalars()
        chosen = [str(pid) for n, pid in enumerate(ids) if n % every == every // 2]
    fired = refused = 0
    for pid in chosen:
        try:
            fire_trigger(app, pid, TriggerCommand(trigger, app.clock.today(), reason), CLINICIAN)
            fired += 1
        except ClinicalError:
            refused += 1
    return {"fired": fired, "refused": refused}


def _enrol_new(app: App, size: int) -> int:
    """Patients enrolled in the last fortnight, nothing recorded since (diagnosis)."""
    today = app.clock.today()
    count = max(1, size // NEW_EVERY)
    for number in range(size + 1, size + 1 + count):
        data = patient(number, today)
        command = EnrolPatient(
            f"NEW-{number:06d}",
            data["sex"],
            date.fromisoformat(data["birth_date"]),
            today - timedelta(days=number % 14),
            data["diagnosis"],
            data["anti_mda5"],
            data["anti_ars"],
            data["ild_course"],
            tuple(data["risk_factors"]),
            data["weight_kg"],
        )
        enrol_patient(app, command, CLINICIAN)
    return count


def page_cohort(
    backend: Backend, size: int, cohort_file: Path, today: date
) -> tuple[str, date, dict[str, Any]]:
    """A new database holding the cohort of ``cohort_file`` imported and judged on ``today``,
    spread over the states, and judged by the daily run of the next day: (its URL, the day
    the pages are read, what was done to spread it)."""
    url = backend.new_database(f"pages{size}")
    app = bootstrap(Settings(database_url=url), SimulatedClock(today))
    bulk_ingest(app, cohort_file)
    spread: dict[str, Any] = {
        trigger: _move(app, every, state, trigger, reason)
        for every, state, trigger, reason in MOVES
    }
    spread["enrolled"] = _enrol_new(app, size)
    app.engine.dispose()
    day = today + timedelta(days=1)
    daily_run_in_child(url, day)
    return url, day, spread
