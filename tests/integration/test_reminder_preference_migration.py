"""Migration 0019 (issue 21, reminder preferences): the new table, and digests (outbox rows
without a patient) allowed; the downgrade takes both away and keeps every task reminder; the
upgrade after it works again. Run as the owner, on SQLite and PostgreSQL."""

from datetime import date, time

from sqlalchemy import inspect, text

from ildpath.accounts import add_user, set_reminder_choice
from ildpath.bootstrap import bootstrap
from ildpath.clock import SimulatedClock
from ildpath.settings import Settings
from persistence.database import make_engine
from scheduler.dispatcher import plan_due
from scheduler.preferences import ClinicDigestSettings
from tests.integration.apps import enrol
from tests.integration.migrating import migrate

PFT_DUE = date(2026, 3, 16)


def _outbox(url: str) -> list[tuple[object, ...]]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT kind, channel, patient_id FROM reminder_delivery ORDER BY id")
            )
            return [tuple(r) for r in rows]
    finally:
        engine.dispose()


def _schema(url: str) -> tuple[set[str], bool]:
    """The tables, and whether ``reminder_delivery.patient_id`` may be empty."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            found = inspect(connection)
            tables = set(found.get_table_names())
            columns = {c["name"]: c for c in found.get_columns("reminder_delivery")}
    finally:
        engine.dispose()
    return tables, bool(columns["patient_id"]["nullable"])


def test_0019_adds_preferences_and_digests_and_its_downgrade_keeps_every_task_reminder(
    empty_database_url: str,
) -> None:
    url = empty_database_url  # as the owner: it migrates down and up
    clock = SimulatedClock(date(2026, 3, 2))
    app = bootstrap(Settings(database_url=url), clock)
    try:
        add_user(app, "anna", "coordinator", "Ossigeno-Alto-2026", email="a@x.org", by="system")
        set_reminder_choice(app, "anna", delivery="digest", timezone="UTC", by="anna")
        enrol(app)
        clock.move_to(PFT_DUE, time(8))
        clinic_list = ClinicDigestSettings("digest", 7, "UTC")  # the PFT is nobody's: the list's
        plan_due(app.engine, PFT_DUE, clock.now(), ["log", "email"], 7, clinic_list)
    finally:
        app.engine.dispose()
    tables, nullable = _schema(url)
    assert "reminder_preference" in tables and nullable
    kept = [row for row in _outbox(url) if row[0] != "digest"]
    assert [row for row in _outbox(url) if row[0] == "digest"] == [("digest", "email", None)]
    assert kept and all(patient is not None for _, _, patient in kept)

    migrate(url, "0016", down=True)
    tables, nullable = _schema(url)
    assert "reminder_preference" not in tables and not nullable
    assert _outbox(url) == kept

    migrate(url, "head")
    tables, nullable = _schema(url)
    assert "reminder_preference" in tables and nullable
    assert _outbox(url) == kept
