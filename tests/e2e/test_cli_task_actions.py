"""`ildpath tasks decline|reschedule|assign` as a coordinator types them, in a real subprocess
on a SQLite file: the worklist shows each task's id, an action names what it did, a refusal is
one line and writes nothing."""

import hashlib
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from ildpath.bootstrap import bootstrap
from ildpath.clock import SimulatedClock
from ildpath.settings import Settings
from ildpath.usecases import Actor, EnrolPatient, enrol_patient

from .cli import ILDPATH, Terminal

PASSWORD = "Ossigeno-Alto-2026"


@pytest.fixture
def shell(tmp_path: Path) -> Terminal:
    terminal = Terminal(tmp_path)
    terminal.ok("init")
    app = bootstrap(
        Settings(database_url=terminal.env["ILDPATH_DATABASE_URL"]), SimulatedClock(date.today())
    )
    enrolment = EnrolPatient(
        "P-1",
        "female",
        date(1970, 1, 1),
        date.today(),
        "polymyositis",
        "negative",
        "negative",
        "non_progressive",
    )
    enrol_patient(app, enrolment, Actor("coord", "coordinator"))
    app.engine.dispose()
    subprocess.run(
        [*ILDPATH, "user", "add", "anna.rossi", "--role", "coordinator", "--password-stdin"],
        input=PASSWORD + "\n",
        env=terminal.env,
        cwd=tmp_path,
        capture_output=True,
        check=True,
        text=True,
        timeout=300,
    )
    return terminal


def database(shell: Terminal) -> str:
    return hashlib.sha256((shell.folder / "clinic.db").read_bytes()).hexdigest()


def task_ids(shell: Terminal) -> dict[str, dict[str, object]]:
    return {t["kind"]: t for t in shell.json("tasks", "--to", "2100-01-01")}


def test_a_coordinator_declines_reschedules_and_assigns_by_the_worklist_id(shell) -> None:
    tasks = task_ids(shell)
    assert all(isinstance(t["id"], int) and t["id"] > 0 for t in tasks.values())

    declined = shell.ok(
        "tasks", "decline", str(tasks["vaccination_covid19"]["id"]), "--reason", "given elsewhere"
    )
    new_due = date.today() + timedelta(days=30)
    moved = shell.ok(
        "tasks",
        "reschedule",
        str(tasks["pft"]["id"]),
        "--due",
        str(new_due),
        "--reason",
        "lab shut",
    )
    assigned = shell.ok("tasks", "assign", str(tasks["pft"]["id"]), "--to", "anna.rossi")

    assert "task declined: vaccination_covid19" in declined
    assert f"rescheduled to {new_due}" in moved
    assert "assigned to anna.rossi" in assigned
    after = task_ids(shell)
    assert "vaccination_covid19" not in after
    pft = after["pft"]
    assert (pft["due_on"], pft["engine_due_on"], pft["rescheduled"], pft["assignee"]) == (
        new_due.isoformat(),
        (date.today() + timedelta(days=14)).isoformat(),
        True,
        "anna.rossi",
    )
    table = shell.ok("tasks", "--to", "2100-01-01")
    assert "rescheduled; engine" in table and "anna.rossi" in table


def test_refusals_are_one_line_and_write_nothing(shell) -> None:
    tasks = task_ids(shell)
    pft = str(tasks["pft"]["id"])
    before = database(shell)
    refusals = [
        (("tasks", "decline", pft, "--reason", "no"), None, "may be declined: vaccination_"),
        (("tasks", "assign", pft, "--to", "nobody"), None, "assignee: 'nobody'"),
        (("tasks", "reschedule", "9999", "--due", "2100-01-01", "--reason", "x"), None, "task"),
        (("tasks", "reschedule", pft, "--due", "2000-01-01", "--reason", "x"), None, "due:"),
        # done records what closes the task: a PFT needs its values (§8: no bare tick)
        (("tasks", "done", pft), None, "at least one of fvc_pct, dlco_pct"),
        (("tasks", "done", pft, "--set", "fvc_pct=500"), None, "fvc_pct: 500"),
        (("tasks", "decline", pft, "--reason", "no"), "auditor", "may not manage tasks"),
    ]
    for args, role, said in refusals:
        done = shell.run(*args, role=role)
        assert done.returncode != 0, args
        assert said in done.stderr, (args, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert database(shell) == before
