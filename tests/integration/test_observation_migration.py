"""Migration 0010 (more observations, CMV in copies/mL and below a limit): a database written
before keeps every observation as it was (a CMV load stored in IU/mL stays in IU/mL, with no
comparator); going back is refused while a row holds what revision 0009 would misread (a CMV
load in copies/mL would read there as not detected), and otherwise drops the new columns."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from ildpath.bootstrap import bootstrap
from ildpath.clock import SimulatedClock
from ildpath.settings import Settings
from ildpath.usecases import patient_summary, record_event
from ildpath.usecases.timeline import timeline
from persistence.database import make_engine
from tests.integration.apps import CLINICIAN
from tests.integration.migrating import insert_old_patient, migrate

pytestmark = pytest.mark.writes_outside_the_writer  # rows as an older release wrote them

DAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
NEW_COLUMNS = {
    "ferritin", "ck", "kl6", "crp", "spo2", "metres", "nadir_spo2", "copies_per_ml", "comparator",
}  # fmt: skip


def _old_database(url: str) -> None:
    """A database at revision 0009 holding one patient with a CMV result of 350 IU/mL."""
    migrate(url, "0009")
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            insert_old_patient(connection)
            connection.execute(
                text(
                    "INSERT INTO observation (patient_id, clinical_on, recorded_on, actor, kind, "
                    "iu_per_ml, recorded_at) VALUES (1, :day, :day, 'dr-old', 'cmv', 350, :now)"
                ),
                {"day": DAY, "now": NOW},
            )
    finally:
        engine.dispose()


def _columns(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return {c["name"] for c in inspect(connection).get_columns("observation")}
    finally:
        engine.dispose()


def test_a_stored_cmv_result_stays_in_iu_per_ml_with_no_comparator(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _old_database(url)

    app = bootstrap(Settings(database_url=url), SimulatedClock(DAY))
    try:
        summary = patient_summary(app, "OLD-1")
    finally:
        app.engine.dispose()

    [row] = summary.observations
    assert (row.iu_per_ml, row.copies_per_ml, row.comparator) == (350, None, None)
    assert "CMV DNA: 350 IU/mL" in [e.text for e in timeline(summary)]
    assert _columns(url) >= NEW_COLUMNS


def test_going_back_drops_the_new_columns_when_nothing_needs_them(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _old_database(url)
    migrate(url, "head")

    migrate(url, "0009", down=True)

    assert not NEW_COLUMNS & _columns(url)


def test_going_back_is_refused_while_a_load_in_copies_is_stored(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _old_database(url)
    app = bootstrap(Settings(database_url=url), SimulatedClock(DAY))
    try:
        record_event(app, "OLD-1", "cmv", {"copies_per_ml": 500}, DAY, CLINICIAN)
    finally:
        app.engine.dispose()

    with pytest.raises(RuntimeError, match="copies/mL would read as not detected"):
        migrate(url, "0009", down=True)

    assert _columns(url) >= NEW_COLUMNS
