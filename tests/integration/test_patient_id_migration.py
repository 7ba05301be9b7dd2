"""Migration 0021 (patient ids unique whatever the case): a database written before it gets
each patient's folded id, so a look-alike in other capitals is refused from then on, and its
audit trail still verifies; a database already holding two ids that differ only in case
stops the upgrade with a message naming them, and nothing is changed."""

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from ildpath.errors import DuplicatePatient
from ildpath.usecases.audit import verify_audit
from persistence.database import make_engine, schema_head
from persistence.errors import MigrationRefused
from tests.e2e.cli import Terminal

from .apps import clinic, enrol
from .migrating import migrate

pytestmark = pytest.mark.writes_outside_the_writer  # the schema moved by hand, back and forth

DAY = date(2026, 3, 2)


def _clinic_before_0021(url: str) -> None:
    """DEMO-0001 and P-002 enrolled, then the schema taken back to before revision 0021."""
    with clinic(url, DAY) as (app, _):
        enrol(app, "DEMO-0001")
        enrol(app, "P-002")
    migrate(url, "0020", down=True)


def _schema(url: str) -> tuple[str, set[str]]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            revision = connection.execute(text("SELECT version_num FROM alembic_version"))
            columns = {c["name"] for c in inspect(connection).get_columns("patient")}
            return str(revision.scalar_one()), columns
    finally:
        engine.dispose()


def _enrol_by_hand(url: str, external_id: str, like: str) -> None:
    """A second patient row as an older release let it be written: a copy of ``like``'s row
    under ``external_id``."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            names = [
                c["name"]
                for c in inspect(connection).get_columns("patient")
                if c["name"] not in ("id", "external_id")
            ]
            columns = ", ".join(names)
            connection.execute(
                text(
                    f"INSERT INTO patient (external_id, {columns}) "
                    f"SELECT :new, {columns} FROM patient WHERE external_id = :like"
                ),
                {"new": external_id, "like": like},
            )
    finally:
        engine.dispose()


def test_patients_enrolled_before_0021_are_compared_whatever_the_case_after_it(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    _clinic_before_0021(url)
    assert "external_id_folded" not in _schema(url)[1]

    with clinic(url, DAY) as (app, _):  # the application upgrades on start
        with app.unit_of_work() as uow:
            assert uow.patients.enrolled_as(["demo-0001", "p-002"]) == {
                "demo-0001": "DEMO-0001",
                "p-002": "P-002",
            }
        with pytest.raises(DuplicatePatient, match="already enrolled as 'DEMO-0001'"):
            enrol(app, "demo-0001")
        enrol(app, "P-003")
        report = verify_audit(app)
    assert report.intact, report.findings
    assert report.patients == 3
    assert _schema(url)[0] == schema_head()  # the newest


def test_ids_differing_only_in_case_stop_the_upgrade_naming_them_and_nothing_changes(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    _clinic_before_0021(url)
    _enrol_by_hand(url, "demo-0001", like="DEMO-0001")
    before = _schema(url)

    with pytest.raises(MigrationRefused) as refused, clinic(url, DAY):
        pass

    assert "'DEMO-0001' and 'demo-0001'" in str(refused.value)
    assert "nothing was changed" in str(refused.value)
    assert _schema(url) == before == ("0020", before[1])


def test_the_command_line_says_so_in_one_line_with_the_database_exit_code(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path}/clinic.db"
    _clinic_before_0021(url)
    _enrol_by_hand(url, "demo-0001", like="DEMO-0001")
    shell = Terminal(tmp_path)

    done = shell.run("cohort")

    assert done.returncode == 4
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("error: schema revision 0021 (patient ids unique whatever")
    assert "'DEMO-0001' and 'demo-0001'" in done.stderr
