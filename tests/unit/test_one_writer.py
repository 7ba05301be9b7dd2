"""The suite's guard of the one writer catches a clinical table written from anywhere else."""

from datetime import date

import pytest
from sqlalchemy import text

from ildpath.bootstrap import bootstrap
from ildpath.clock import SimulatedClock
from ildpath.settings import Settings
from tests.integration.apps import enrol
from tests.one_writer import WriteOutsideTheWriter, written_table


def test_writes_to_clinical_tables_are_told_apart_from_reads_and_other_tables() -> None:
    assert written_table('INSERT INTO "observation" (id) VALUES (?)') == "observation"
    assert written_table("UPDATE patient SET version = 2") == "patient"
    assert written_table("delete from audit_event where seq = 3") == "audit_event"
    assert written_table("SELECT * FROM patient") is None
    assert written_table("INSERT INTO reminder_delivery (key) VALUES (?)") is None


def test_a_clinical_table_written_outside_the_writer_fails_the_test(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = bootstrap(
        Settings(database_url=f"sqlite:///{tmp_path}/w.db"), SimulatedClock(date(2026, 3, 2))
    )
    enrol(app)  # through the use case: allowed

    with (
        pytest.raises(WriteOutsideTheWriter, match="patient written outside"),
        app.engine.begin() as db,
    ):
        db.execute(text("UPDATE patient SET weight_kg = 99"))
    app.engine.dispose()
