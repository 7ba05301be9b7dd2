"""The command line as a user runs it: a real subprocess, exit codes and readable output."""

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from ildpath.bootstrap import bootstrap
from ildpath.clock import SimulatedClock
from ildpath.settings import Settings
from ildpath.usecases import Actor, EnrolPatient, enrol_patient, record_observation

SHARED = Path(__file__).parents[1] / "scenarios" / "shared"
ILDPATH = [sys.executable, "-m", "ildpath"]


def _run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None):  # type: ignore[no-untyped-def]
    return subprocess.run(
        [*ILDPATH, *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )


def test_scenario_run_passes_the_public_scenarios() -> None:
    public = sorted(SHARED.glob("*.yaml"))
    done = _run("scenario", "run", *map(str, public))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{len(public)} passed, 0 failed" in done.stdout


def test_scenario_run_prints_expected_and_said_and_exits_1(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.yaml"
    text_ = (SHARED / "mda5_step_up.yaml").read_text()
    wrong.write_text(
        text_.replace(
            "alerts_exclude: [MDA5_STEP_UP_THERAPY]", "alerts_include: [MDA5_STEP_UP_THERAPY]"
        )
    )
    done = _run("scenario", "run", str(wrong))
    assert done.returncode == 1
    assert "FAIL" in done.stdout
    assert "as_of 2026-02-04: alerts_include: expected MDA5_STEP_UP_THERAPY" in done.stdout


def test_scenario_run_refuses_a_malformed_file_with_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\npatient: {id: X}\nevents:\n  - on: 2026-01-01\n    jump: high\n")
    done = _run("scenario", "run", str(bad))
    assert done.returncode == 2
    assert "events[0]" in done.stdout and "jump" in done.stdout


@pytest.mark.writes_outside_the_writer  # a malicious insider edits the trail
def test_audit_verify_reports_intact_then_names_the_tampered_event(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    app = bootstrap(Settings(database_url=url), SimulatedClock(date(2026, 3, 2)))
    enrol_patient(
        app,
        EnrolPatient(
            "P-9",
            "male",
            date(1960, 1, 1),
            date(2026, 3, 2),
            "polymyositis",
            "negative",
            "negative",
            "progressive",
        ),
        Actor("coord", "coordinator"),
    )
    record_observation(
        app, "P-9", "pft", {"fvc_pct": 70}, date(2026, 3, 2), Actor("coord", "coordinator")
    )
    env = {"ILDPATH_DATABASE_URL": url}
    intact = _run("audit", "verify", env=env)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert "intact" in intact.stdout
    from tests.integration.tampering import tamper

    tamper(app.engine, "UPDATE audit_event SET actor = 'someone-else' WHERE seq = 2")
    app.engine.dispose()
    broken = _run("audit", "verify", env=env)
    assert broken.returncode == 1
    assert "patient P-9: event 2" in broken.stdout and "altered" in broken.stdout


def test_console_script_is_installed() -> None:
    assert shutil.which("ildpath") or (Path(sys.executable).parent / "ildpath").exists()
