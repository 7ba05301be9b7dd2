"""Setting up the audit trail as an administrator does: `ildpath init` says where the key
and the checkpoints are kept (and makes them, readable by their owner alone), `ildpath audit
checkpoint` anchors every chain head, and `audit verify` finds a patient deleted after it."""

import stat
from pathlib import Path

import pytest

from ildpath.bootstrap import bootstrap
from ildpath.settings import Settings

from .audited_clinic import patients_with_a_pft
from .cli import Terminal


@pytest.fixture
def shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Terminal:
    """A clinic whose key and checkpoint files are its own (neither made yet)."""
    terminal = Terminal(tmp_path)
    for name, where in (
        ("ILDPATH_AUDIT_KEY_FILE", tmp_path / "keys" / "audit.key"),
        ("ILDPATH_AUDIT_CHECKPOINT_FILE", tmp_path / "anchors" / "checkpoints.jsonl"),
    ):
        monkeypatch.setenv(name, str(where))
        terminal.env[name] = str(where)
    return terminal


def test_init_says_where_the_key_and_checkpoints_are_and_makes_them(shell: Terminal) -> None:
    key = Path(shell.env["ILDPATH_AUDIT_KEY_FILE"])
    checkpoints = Path(shell.env["ILDPATH_AUDIT_CHECKPOINT_FILE"])
    said = shell.ok("init")
    assert f"audit key: {key}" in said and f"audit checkpoints: {checkpoints}" in said
    assert "audit tables: append-only (triggers)" in said
    assert "installation: " in said
    for made in (key, checkpoints):
        assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert "Audit trail intact: 0 patients" in shell.ok("audit", "verify")


@pytest.mark.writes_outside_the_writer  # a malicious insider deletes a patient
def test_a_patient_deleted_after_a_checkpoint_is_named(shell: Terminal) -> None:
    url = shell.env["ILDPATH_DATABASE_URL"]
    patients_with_a_pft(url, "P-1", "P-2")
    said = shell.ok("audit", "verify")
    assert "no checkpoint yet: run `ildpath audit checkpoint`" in said
    taken = shell.ok("audit", "checkpoint")
    assert "checkpoint of 3 chains (2 patients" in taken
    assert shell.env["ILDPATH_AUDIT_CHECKPOINT_FILE"] in taken
    assert "compared with the checkpoint of" in shell.ok("audit", "verify")
    app = bootstrap(Settings(database_url=url), upgrade=False)
    from tests.integration.tampering import delete_patient

    delete_patient(app.engine, "P-2")
    app.engine.dispose()
    done = shell.run("audit", "verify")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "checkpoint: patient P-2: patient deleted after the checkpoint of" in done.stdout
    assert "Audit trail NOT intact: 1 findings" in done.stdout
