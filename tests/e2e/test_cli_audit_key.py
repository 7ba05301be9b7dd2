"""The audit key as an administrator meets it: made on first use (mode 0600), rotated with
the old keys kept, and `audit verify` in text and JSON naming what it found."""

import json
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from ildpath.bootstrap import bootstrap
from ildpath.settings import Settings

from .audited_clinic import patients_with_a_pft
from .cli import Terminal


@pytest.fixture
def shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Terminal:
    """A clinic whose key file is its own (not yet made)."""
    key = tmp_path / "keys" / "audit.key"
    monkeypatch.setenv("ILDPATH_AUDIT_KEY_FILE", str(key))
    terminal = Terminal(tmp_path)
    terminal.env["ILDPATH_AUDIT_KEY_FILE"] = str(key)
    return terminal


def test_the_key_is_made_on_first_use_readable_by_its_owner_alone(shell: Terminal) -> None:
    key = Path(shell.env["ILDPATH_AUDIT_KEY_FILE"])
    assert not key.exists()
    patients_with_a_pft(shell.env["ILDPATH_DATABASE_URL"], "P-9")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert "Audit trail intact: 1 patients" in shell.ok("audit", "verify")


@pytest.mark.writes_outside_the_writer  # a malicious insider edits the record
def test_verify_json_names_every_finding_and_exits_1(shell: Terminal) -> None:
    url = shell.env["ILDPATH_DATABASE_URL"]
    patients_with_a_pft(url, "P-9")
    report = shell.json("audit", "verify")
    assert report["intact"] is True and report["patients"] == 1
    assert report["events"] >= 2 and report["rows_checked"] >= 3 and report["findings"] == []
    app = bootstrap(Settings(database_url=url), upgrade=False)
    from tests.integration.tampering import tamper

    tamper(app.engine, "UPDATE observation SET fvc_pct = 90")
    app.engine.dispose()
    done = shell.run("audit", "verify", "--json")
    assert done.returncode == 1
    [found] = json.loads(done.stdout)["findings"]
    assert found["chain"] == "record" and found["patient"] == "P-9"
    assert found["table"] == "observation"
    assert "fvc_pct is 90.0 but the audit trail wrote 70.0" in found["problem"]
    words = shell.run("audit", "verify")
    assert words.returncode == 1
    assert "record: patient P-9: observation row" in words.stdout
    assert "Audit trail NOT intact: 1 findings" in words.stdout


def test_a_rotated_key_signs_new_events_and_the_old_ones_still_verify(shell: Terminal) -> None:
    url = shell.env["ILDPATH_DATABASE_URL"]
    patients_with_a_pft(url, "P-1")
    before = json.loads(Path(shell.env["ILDPATH_AUDIT_KEY_FILE"]).read_text())["current"]
    said = shell.ok("audit", "rotate-key")
    after = json.loads(Path(shell.env["ILDPATH_AUDIT_KEY_FILE"]).read_text())["current"]
    assert after != before and f"audit key {after} now signs new events (2 keys" in said
    patients_with_a_pft(url, "P-2")
    app = bootstrap(Settings(database_url=url), upgrade=False)
    with app.engine.connect() as connection:
        used = dict(
            connection.execute(
                text(
                    "SELECT p.external_id, max(a.key_id) FROM audit_event a "
                    "JOIN patient p ON p.id = a.patient_id GROUP BY p.external_id"
                )
            ).all()
        )
    app.engine.dispose()
    assert used == {"P-1": before, "P-2": after}
    assert "Audit trail intact: 2 patients" in shell.ok("audit", "verify")


def test_a_key_file_without_the_key_an_event_names_is_a_finding(shell: Terminal) -> None:
    url = shell.env["ILDPATH_DATABASE_URL"]
    patients_with_a_pft(url, "P-9")
    key = Path(shell.env["ILDPATH_AUDIT_KEY_FILE"])
    key.unlink()  # the key lost: a new one is made, which did not sign the trail
    done = shell.run("audit", "verify")
    assert done.returncode == 1
    assert "is not in" in done.stdout and "restore the key file" in done.stdout
    assert os.stat(key).st_mode  # the new key was made


def test_a_key_file_that_cannot_be_made_is_one_clear_error(shell: Terminal, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the key's folder should be")
    shell.env["ILDPATH_AUDIT_KEY_FILE"] = str(blocker / "audit.key")
    done = shell.run("cohort")
    assert done.returncode == 4, done.stderr
    assert "audit key" in done.stderr and "not a folder" in done.stderr
    assert "Traceback" not in done.stderr
