"""Migration 0009 (doses): a database written before doses had a unit and a schedule keeps every
therapy row, each stored ``dose_mg_per_day`` read as that many mg every day (§11 Doses)."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text

from ildpath.bootstrap import bootstrap
from ildpath.clock import SimulatedClock
from ildpath.settings import Settings
from ildpath.usecases import patient_summary
from ildpath.usecases.patient_data import patient_data
from persistence.database import alembic_config, make_engine
from tests.integration.migrating import insert_old_patient

pytestmark = pytest.mark.writes_outside_the_writer  # rows as an older release wrote them

DAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _old_database(url: str) -> None:
    """A database at revision 0006 holding one patient with two starts and a stop."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config(engine)
            config.attributes["connection"] = connection
            command.upgrade(config, "0006")
            insert_old_patient(connection)
            for agent, action, dose in (
                ("prednisone", "start", 60.0),
                ("tacrolimus", "start", None),
                ("tacrolimus", "stop", None),
            ):
                connection.execute(
                    text(
                        "INSERT INTO therapy_event (patient_id, clinical_on, recorded_on, actor, "
                        "agent, action, route, dose_mg_per_day, recorded_at) VALUES (1, :day, "
                        ":day, 'dr-old', :agent, :action, 'oral', :dose, :now)"
                    ),
                    {"day": DAY, "agent": agent, "action": action, "dose": dose, "now": NOW},
                )
    finally:
        engine.dispose()


def test_stored_mg_per_day_doses_upgrade_to_mg_every_day_and_every_row_is_kept(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _old_database(url)

    app = bootstrap(Settings(database_url=url), SimulatedClock(DAY))
    try:
        with app.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT agent, action, dose, unit, every FROM therapy_event ORDER BY id")
            ).all()
            columns = {c["name"] for c in inspect(connection).get_columns("therapy_event")}
            patient_columns = {c["name"] for c in inspect(connection).get_columns("patient")}
        summary = patient_summary(app, "OLD-1")
    finally:
        app.engine.dispose()

    assert [tuple(r) for r in rows] == [
        ("prednisone", "start", 60.0, "mg", "day"),
        ("tacrolimus", "start", None, None, None),
        ("tacrolimus", "stop", None, None, None),
    ]
    assert "dose_mg_per_day" not in columns
    assert "height_cm" in patient_columns
    [prednisone] = patient_data(summary)["active_therapies"]
    assert prednisone["dose_text"] == "60 mg every day"
    assert summary.chart.exposure.prednisone_equivalent_on(DAY) == 60


def test_the_downgrade_gives_back_mg_per_day(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _old_database(url)
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config(engine)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            command.downgrade(config, "0006")
        with engine.connect() as connection:
            doses = connection.execute(
                text("SELECT dose_mg_per_day FROM therapy_event ORDER BY id")
            ).scalars()
            assert list(doses) == [60.0, None, None]
    finally:
        engine.dispose()
