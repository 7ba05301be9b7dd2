"""`ildpath calendar` at the terminal: a feed issued by its user or an admin prints its whole
address once (with ILDPATH_PUBLIC_URL), is listed without it, and is revoked; a wrong scope or
someone else issuing is refused with exit 2, writing nothing."""

from pathlib import Path

import pytest

from .cli import Terminal
from .test_cli_user import add


@pytest.fixture
def shell(tmp_path: Path) -> Terminal:
    terminal = Terminal(tmp_path)
    terminal.ok("init")
    assert add(terminal, "admin.rossi", "admin").returncode == 0
    assert add(terminal, "anna", "coordinator", acting="admin").returncode == 0
    assert add(terminal, "ben", "clinician", acting="admin").returncode == 0
    terminal.env["ILDPATH_PUBLIC_URL"] = "https://ildpath.clinic.example/"
    return terminal


def test_a_feed_is_issued_shown_once_listed_and_revoked(shell: Terminal) -> None:
    printed = shell.ok("calendar", "issue", "anna", "--by", "anna")
    [address] = [line for line in printed.splitlines() if line.startswith("https://")]
    assert address.startswith("https://ildpath.clinic.example/calendar/")
    assert address.endswith(".ics") and len(address.split("/")[-1]) == 43 + 4
    assert "It will not be shown again" in printed
    shell.ok("calendar", "issue", "anna", "--scope", "all", "--by", "admin.rossi")

    listed = shell.json("calendar", "list")
    assert [(f["id"], f["username"], f["scope"], f["revoked_at"]) for f in listed] == [
        (1, "anna", "mine", None),
        (2, "anna", "all", None),
    ]
    assert address.split("/")[-1][:-4] not in shell.ok("calendar", "list")

    assert "calendar feed 1 of anna revoked" in shell.ok("calendar", "revoke", "1", "--by", "anna")
    shell.ok("calendar", "revoke", "2", role="admin")  # the terminal in the admin role
    assert all(f["revoked_at"] for f in shell.json("calendar", "list", "--user", "anna"))
    assert "0 patients" in shell.ok("audit", "verify")


def test_a_wrong_scope_or_someone_elses_feed_is_refused_and_writes_nothing(
    shell: Terminal,
) -> None:
    wrong = shell.run("calendar", "issue", "anna", "--scope", "team", "--by", "anna")
    assert wrong.returncode == 2
    assert "scope: 'team' is not allowed; allowed: mine" in wrong.stderr
    assert "all (every open task of the cohort)" in wrong.stderr
    theirs = shell.run("calendar", "issue", "anna", "--by", "ben")
    assert theirs.returncode == 2
    assert "by: ben may not issue or revoke a calendar feed of anna" in theirs.stderr
    assert shell.json("calendar", "list") == []
    shell.ok("calendar", "issue", "anna", "--by", "anna")
    refused = shell.run("calendar", "revoke", "1")  # a coordinator at the terminal
    assert refused.returncode == 2
    assert shell.json("calendar", "list")[0]["revoked_at"] is None
