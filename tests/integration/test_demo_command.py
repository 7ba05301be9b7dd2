"""`ildpath demo` at the command line: it fills an empty database only, and says so in one
line when it will not (the command function, on a real SQLite file; the subprocess test of the
wired `ildpath` script is in e2e)."""

from datetime import date
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from ildpath.bootstrap import bootstrap
from ildpath.cli.demo import demo
from ildpath.settings import Settings
from ildpath.usecases.audit import verify_audit
from tests.integration.apps import clinic, enrol

runner = CliRunner()


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.command("demo")(demo)
    app.command("other")(lambda: None)  # two commands: `demo` is invoked by name
    return app


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    monkeypatch.setenv("ILDPATH_DATABASE_URL", url)
    return url


def test_size_below_one_is_refused_naming_the_field(database: str) -> None:
    result = runner.invoke(_cli(), ["demo", "--size", "0"])
    assert result.exit_code == 2
    assert "--size: 0 is not allowed; allowed: a number of patients, 1 or more" in result.output


def test_a_database_with_patients_is_refused_with_the_way_out(database: str) -> None:
    with clinic(database, date(2026, 1, 5)) as (app, _):
        enrol(app)
    result = runner.invoke(_cli(), ["demo", "--size", "2"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1
    assert database in lines[0] and "already holds 1 patient;" in lines[0]
    assert "ILDPATH_DATABASE_URL=sqlite:///demo.db ildpath demo" in lines[0]


def test_a_small_demo_fills_the_empty_database_up_to_today(database: str) -> None:
    result = runner.invoke(_cli(), ["demo", "--size", "3", "--seed", "2"])
    assert result.exit_code == 0, result.output
    assert f"Demo cohort ready in {database}: 3 synthetic patients" in result.output
    assert "Decision support" in result.output
    assert "ildpath patient show DEMO-0001" in result.output
    assert "ildpath report cohort --from " in result.output
    app = bootstrap(Settings(database_url=database))
    try:
        report = verify_audit(app)  # against the checkpoint the demo itself took
    finally:
        app.engine.dispose()
    assert report.intact and report.patients == 3
    assert report.checkpoint is not None and report.checkpoint["patients"] == 3
