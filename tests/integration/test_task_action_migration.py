"""Migration 0011 (task actions, §8): a database written before tasks could be declined,
rescheduled or assigned keeps every task as it was; after the upgrade they can be acted on;
the downgrade gives back tasks nobody acted on (a declined one reads as cancelled)."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from ildpath.bootstrap import bootstrap
from ildpath.clock import SimulatedClock
from ildpath.settings import Settings
from ildpath.usecases.task_actions import decline_task, reschedule_task
from persistence.database import make_engine
from tests.integration.apps import CLINICIAN, enrol
from tests.integration.migrating import migrate

pytestmark = pytest.mark.writes_outside_the_writer  # the schema moved by hand, back and forth

DAY = date(2026, 3, 2)


def _tasks(url: str) -> list[tuple[object, ...]]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT kind, status, due_on FROM care_task ORDER BY id")
            )
            return [tuple(r) for r in rows]
    finally:
        engine.dispose()


def test_tasks_written_before_0011_upgrade_unchanged_and_can_then_be_acted_on(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    app = bootstrap(Settings(database_url=url), SimulatedClock(DAY))
    enrol(app)
    app.engine.dispose()
    before = _tasks(url)
    migrate(url, "0010", down=True)
    assert _tasks(url) == before
    migrate(url, "head")

    app = bootstrap(Settings(database_url=url), SimulatedClock(DAY))
    try:
        with app.engine.connect() as connection:
            columns = {c["name"] for c in inspect(connection).get_columns("care_task")}
            tables = set(inspect(connection).get_table_names())
            ids = dict(connection.execute(text("SELECT kind, id FROM care_task")).all())
        assert {"rescheduled_to", "assignee", "declined_reason"} <= columns
        assert "task_action" in tables
        assert _tasks(url) == before
        decline_task(app, ids["vaccination_covid19"], "declined by the patient", CLINICIAN)
        reschedule_task(app, ids["pft"], DAY + timedelta(days=30), "lab closed", CLINICIAN)
    finally:
        app.engine.dispose()

    migrate(url, "0010", down=True)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            columns = {c["name"] for c in inspect(connection).get_columns("care_task")}
            tables = set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
    assert "rescheduled_to" not in columns and "task_action" not in tables
    statuses = {kind: status for kind, status, _ in _tasks(url)}
    assert statuses["vaccination_covid19"] == "cancelled"
    assert statuses["pft"] == "open"
