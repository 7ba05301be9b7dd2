"""A wrong ``ILDPATH_*`` setting, as an administrator would mistype it: one line naming each
variable, what it must be and what was given, an exit code, and nothing written."""

from pathlib import Path

from .cli import Terminal


def test_a_wrong_setting_is_one_line_naming_the_variable_and_what_it_must_be(
    tmp_path: Path,
) -> None:
    shell = Terminal(tmp_path)
    shell.env.update(ILDPATH_DAILY_WORKERS="two", ILDPATH_LONGEST_QUIET_DAYS="400")
    done = shell.run("init")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip() == (
        "error: settings: ILDPATH_LONGEST_QUIET_DAYS: input should be less than or equal to "
        "366 (got '400'); ILDPATH_DAILY_WORKERS: input should be a valid integer, unable to "
        "parse string as an integer (got 'two')"
    )
    assert not (tmp_path / "clinic.db").exists()


def test_the_workers_of_the_daily_run_must_be_at_least_one(tmp_path: Path) -> None:
    shell = Terminal(tmp_path)
    shell.ok("init")
    shell.env["ILDPATH_DAILY_WORKERS"] = "0"
    done = shell.run("cohort")
    assert done.returncode == 2
    assert "ILDPATH_DAILY_WORKERS: input should be greater than or equal to 1" in done.stderr
