"""A wrong ``ILDPATH_*`` setting or pathway definition, as an administrator would mistype it:
one line naming each variable or key, what it must be and what was given, an exit code, and
nothing written."""

from importlib import resources
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


def _misspelt_definition(folder: Path) -> Path:
    """A clinic's copy of the pathway definition with one key mistyped."""
    shipped = resources.files("pathway").joinpath("definition.yaml").read_text(encoding="utf-8")
    copy = folder / "clinic-definition.yaml"
    copy.write_text(shipped.replace("  hrct_days: 14", "  hrct_dayz: 14"), encoding="utf-8")
    return copy


def test_a_misspelt_key_in_the_pathway_definition_stops_every_command_with_one_line(
    tmp_path: Path,
) -> None:
    shell = Terminal(tmp_path)
    copy = _misspelt_definition(tmp_path)
    shell.env["ILDPATH_DEFINITION"] = str(copy)
    for command in (["cohort"], ["serve", "--port", "0"]):
        done = shell.run(*command)
        assert done.returncode == 2, command
        assert "Traceback" not in done.stderr
        line = done.stderr.strip()
        assert "\n" not in line
        assert line.startswith(
            f"error: pathway definition {copy}: tasks.hrct_dayz: unknown key (allowed: "
            "bone_protection_days, cmv_test_days, first_pft_days, hrct_days, "
        ), command
        assert line.endswith("; tasks.hrct_days: missing key")
        assert done.stdout == ""
    assert not (tmp_path / "clinic.db").exists()
