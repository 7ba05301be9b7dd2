"""`ildpath user reminders` as people use it, in a real subprocess: show where and how a
user's task reminders reach them, choose the daily digest for oneself, an admin for anyone;
a wrong value is one line naming the field and what is allowed, and nothing is written."""

import subprocess

import pytest

from .cli import ILDPATH, Terminal

PASSWORD = "Ossigeno-Alto-2026"
ME = "coord-anna"  # the terminal's user (ILDPATH_USER)


@pytest.fixture
def shell(tmp_path) -> Terminal:  # type: ignore[no-untyped-def]
    terminal = Terminal(tmp_path)
    terminal.ok("init")
    for username, email in ((ME, "anna@clinic.example"), ("bob.verdi", None)):
        extra = ("--email", email) if email else ()
        added = subprocess.run(
            [
                *ILDPATH,
                "user",
                "add",
                username,
                "--role",
                "coordinator",
                "--password-stdin",
                *extra,
            ],
            input=PASSWORD + "\n",
            capture_output=True,
            text=True,
            timeout=300,
            env=dict(terminal.env, ILDPATH_ROLE="admin"),
            cwd=terminal.folder,
        )
        assert added.returncode == 0, added.stderr
    return terminal


def test_a_user_sees_and_chooses_their_own_daily_digest(shell: Terminal) -> None:
    shown = shell.ok("user", "reminders", ME)
    assert shown.strip() == (
        f"reminders of {ME}: one email per task reminder, as it falls due, to "
        "anna@clinic.example; critical alerts always at once"
    )
    said = shell.ok(
        "user", "reminders", ME, "--delivery", "digest", "--hour", "7", "--timezone", "Europe/Paris"
    )
    assert "one daily digest at 07:00 (Europe/Paris), to anna@clinic.example" in said
    chosen = shell.json("user", "reminders", ME)
    assert (chosen["delivery"], chosen["digest_hour"], chosen["timezone"]) == (
        "digest",
        7,
        "Europe/Paris",
    )
    shell.ok("user", "reminders", ME, "--hour", "6")  # the rest is kept
    assert shell.json("user", "reminders", ME)["timezone"] == "Europe/Paris"
    assert shell.json("user", "reminders", ME)["digest_hour"] == 6


def test_someone_elses_choice_takes_the_admin_role_and_says_where_their_mail_goes(
    shell: Terminal,
) -> None:
    refused = shell.run("user", "reminders", "bob.verdi", "--delivery", "digest")
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        "error: role: 'coordinator' may not manage users and tokens; roles that may: admin"
    )
    done = shell.ok("user", "reminders", "bob.verdi", "--delivery", "digest", role="admin")
    assert "no email address: the reminders of their tasks go to the clinic's list" in done


REFUSALS = {
    "--delivery": ("weekly", "delivery: 'weekly' is not allowed; allowed: immediate or digest"),
    "--hour": ("24", "hour: 24 is not allowed; allowed: a whole hour from 0 to 23 (7 for 07:00)"),
    "--timezone": (
        "Europe/Pariss",
        "timezone: 'Europe/Pariss' is not allowed; allowed: an IANA time zone name such as "
        "Europe/Paris, America/New_York or UTC",
    ),
}


def test_a_wrong_value_names_the_field_and_what_is_allowed_and_writes_nothing(
    shell: Terminal,
) -> None:
    before = shell.json("user", "reminders", ME)
    for option, (value, said) in REFUSALS.items():
        refused = shell.run("user", "reminders", ME, "--delivery", "digest", option, value)
        assert refused.returncode == 2
        assert refused.stderr.strip() == f"error: {said}"
    assert shell.json("user", "reminders", ME) == before


def test_the_clinic_lists_setting_is_refused_at_start_naming_the_variable(tmp_path) -> None:  # type: ignore[no-untyped-def]
    shell = Terminal(tmp_path)
    shell.env.update(ILDPATH_CLINIC_REMINDERS="weekly", ILDPATH_DIGEST_HOUR="24")
    done = shell.run("init")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "error: settings: ILDPATH_CLINIC_REMINDERS: input should be 'immediate' or 'digest' "
        "(got 'weekly'); ILDPATH_DIGEST_HOUR: input should be less than or equal to 23 "
        "(got '24')"
    )
    assert not (tmp_path / "clinic.db").exists()
