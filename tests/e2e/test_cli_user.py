"""`ildpath user` as an administrator uses it, in a real subprocess: the first account needs
no admin (or nobody could become one), every later change does; passwords come from a hidden
prompt or, for scripts, one line of standard input."""

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ildpath.accounts import Account, TooManyAttempts, sign_in
from ildpath.bootstrap import bootstrap
from ildpath.cli.main import app
from ildpath.settings import Settings

from .cli import ILDPATH, Terminal

PASSWORD = "Ossigeno-Alto-2026"


@pytest.fixture
def shell(tmp_path: Path) -> Terminal:
    terminal = Terminal(tmp_path)  # a coordinator, as ILDPATH_ROLE says
    terminal.ok("init")
    return terminal


def typed(
    shell: Terminal, stdin: str, *args: str, role: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `ildpath` with ``stdin`` piped in (Terminal.run has no input)."""
    env = dict(shell.env, **({"ILDPATH_ROLE": role} if role else {}))
    return subprocess.run(
        [*ILDPATH, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=shell.folder,
    )


def add(shell: Terminal, username: str, role: str, *, acting: str | None = None):
    command = ("user", "add", username, "--role", role, "--password-stdin")
    return typed(shell, PASSWORD + "\n", *command, role=acting)


def test_the_first_account_is_added_without_the_admin_role(shell):
    done = add(shell, "admin.rossi", "admin")
    assert done.returncode == 0, done.stderr
    assert "user admin.rossi added (admin)" in done.stdout
    [user] = shell.json("user", "list")
    assert user["username"] == "admin.rossi"
    assert user["role"] == "admin" and user["active"] is True and user["demo"] is False
    written = b"".join(p.read_bytes() for p in shell.folder.glob("clinic.db*"))
    assert PASSWORD.encode() not in written


def test_later_accounts_need_the_admin_role(shell):
    assert add(shell, "admin.rossi", "admin").returncode == 0
    refused = add(shell, "anna", "clinician")
    assert refused.returncode == 2
    assert "coordinator" in refused.stderr and "manage users and tokens" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert add(shell, "anna", "clinician", acting="admin").returncode == 0
    users = shell.json("user", "list", role="auditor")
    assert [(u["username"], u["role"]) for u in users] == [
        ("admin.rossi", "admin"),
        ("anna", "clinician"),
    ]


def test_a_refused_password_is_one_line_that_does_not_repeat_it(shell):
    done = typed(shell, "too-short\n", "user", "add", "anna", "--role", "admin", "--password-stdin")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "error: password: '(hidden)' is not allowed; allowed: at least 12 characters"
    )
    assert shell.json("user", "list") == []


def test_a_token_is_shown_once_and_revoked_by_its_number(shell):
    add(shell, "admin.rossi", "admin")
    out = shell.ok("user", "token", "admin.rossi", "--name", "lab import", role="admin")
    token = next(line for line in out.splitlines() if line.startswith("ildp_"))
    token_id = token.split("_")[1]
    assert "will not be shown again" in out
    [listed] = shell.json("user", "tokens", "admin.rossi")
    assert listed["name"] == "lab import" and token not in json.dumps(listed)
    assert "revoked" in shell.ok("user", "revoke", token_id, role="admin")
    assert shell.json("user", "tokens", "admin.rossi")[0]["revoked_at"] is not None
    assert shell.run("user", "revoke", token_id).returncode == 2  # a coordinator may not


def test_password_and_deactivate_take_the_admin_role(shell):
    add(shell, "anna", "clinician")
    as_coordinator = typed(
        shell, "Another-Long-Pw\n", "user", "password", "anna", "--password-stdin"
    )
    assert as_coordinator.returncode == 2
    assert shell.run("user", "deactivate", "anna").returncode == 2
    changed = typed(
        shell, "Another-Long-Pw\n", "user", "password", "anna", "--password-stdin", role="admin"
    )
    assert changed.returncode == 0, changed.stderr
    shell.ok("user", "deactivate", "anna", role="admin")
    assert shell.json("user", "list")[0]["active"] is False


def test_the_password_is_asked_twice_without_echo(tmp_path, monkeypatch):
    monkeypatch.setenv("ILDPATH_DATABASE_URL", f"sqlite:///{tmp_path}/clinic.db")
    monkeypatch.setenv("ILDPATH_ROLE", "coordinator")
    typed_in = f"{PASSWORD}\nsomething-else-x\n{PASSWORD}\n{PASSWORD}\n"
    done = CliRunner().invoke(app, ["user", "add", "anna", "--role", "admin"], input=typed_in)
    assert done.exit_code == 0, done.output
    assert "do not match" in done.output
    assert PASSWORD not in done.output
    assert "user anna added (admin)" in done.output


def test_an_admin_changes_a_role_like_the_accounts_page_does(shell):
    add(shell, "admin.rossi", "admin")
    add(shell, "anna", "coordinator", acting="admin")
    assert shell.run("user", "role", "anna", "clinician").returncode == 2  # a coordinator
    done = shell.ok("user", "role", "anna", "clinician", role="admin")
    assert "role of anna is now clinician" in done
    refused = shell.run("user", "role", "anna", "superuser", role="admin")
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        "error: role: 'superuser' is not allowed; allowed: coordinator, clinician, auditor, admin"
    )
    users = shell.json("user", "list")
    assert [(u["username"], u["role"]) for u in users] == [
        ("admin.rossi", "admin"),
        ("anna", "clinician"),
    ]


def test_an_admin_at_the_terminal_cannot_demote_or_deactivate_themselves(shell):
    add(shell, "admin.rossi", "admin")
    me = Terminal(shell.folder, user="admin.rossi", role="admin")
    demoted = me.run("user", "role", "admin.rossi", "auditor")
    assert demoted.returncode == 2
    assert "may not change the role of your own account (admin.rossi)" in demoted.stderr
    deactivated = me.run("user", "deactivate", "admin.rossi")
    assert deactivated.returncode == 2
    assert "may not deactivate your own account" in deactivated.stderr
    [user] = shell.json("user", "list")
    assert (user["role"], user["active"]) == ("admin", True)


def test_the_last_active_admin_cannot_be_deactivated_or_demoted_at_the_terminal(shell):
    add(shell, "admin.rossi", "admin")
    for command in (("deactivate", "admin.rossi"), ("role", "admin.rossi", "auditor")):
        refused = shell.run("user", *command, role="admin")
        assert refused.returncode == 2
        assert "admin.rossi is the last active admin" in refused.stderr
    assert add(shell, "admin.bianchi", "admin", acting="admin").returncode == 0
    shell.ok("user", "deactivate", "admin.rossi", role="admin")
    refused = shell.run("user", "role", "admin.bianchi", "clinician", role="admin")
    assert refused.returncode == 2 and "admin.bianchi is the last active admin" in refused.stderr
    assert "user admin.rossi reactivated" in shell.ok(
        "user", "reactivate", "admin.rossi", role="admin"
    )
    users = shell.json("user", "list")
    assert [(u["username"], u["role"], u["active"]) for u in users] == [
        ("admin.bianchi", "admin", True),
        ("admin.rossi", "admin", True),
    ]
    report = json.loads(shell.ok("audit", "verify", "--json"))
    assert report["intact"] is True and report["account_events"] == 4
    assert "4 account events" in shell.ok("audit", "verify")


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("password1234", "it is on a list of common and breached passwords"),
        ("aaaaaaaaaaaa", "it is one character repeated"),
        ("qwertyuiop12", "it is easily guessed"),
        ("anna.rossi-2026", "it contains the username"),
    ],
)
def test_a_guessable_password_is_refused_at_the_terminal_naming_its_rule(shell, password, rule):
    done = typed(
        shell, password + "\n", "user", "add", "anna.rossi", "--role", "admin", "--password-stdin"
    )
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("error: password: '(hidden)' is not allowed: " + rule)
    assert "allowed: at least 12 characters" in line and password not in line
    assert shell.json("user", "list") == []


def test_an_admin_unlocks_an_account_locked_by_wrong_passwords(shell):
    add(shell, "admin.rossi", "admin")
    add(shell, "anna", "clinician", acting="admin")
    app = bootstrap(Settings(database_url=shell.env["ILDPATH_DATABASE_URL"]))
    try:
        for _ in range(5):
            assert sign_in(app, "anna", "not-her-password", "10.1.2.3") is None
        assert isinstance(sign_in(app, "anna", PASSWORD, "10.1.2.3"), TooManyAttempts)
        refused = shell.run("user", "unlock", "anna")
        assert refused.returncode == 2 and "manage users and tokens" in refused.stderr
        assert "user anna unlocked" in shell.ok("user", "unlock", "anna", role="admin")
        assert sign_in(app, "anna", PASSWORD, "10.1.2.3") == Account("anna", "clinician")
    finally:
        app.engine.dispose()
    assert "was not locked" in shell.ok("user", "unlock", "anna", role="admin")
    missing = shell.run("user", "unlock", "nobody", role="admin")
    assert missing.returncode == 2 and "no user 'nobody'" in missing.stderr
    report = json.loads(shell.ok("audit", "verify", "--json"))
    assert report["intact"] is True and report["account_events"] == 4  # 2 added, lock, unlock
