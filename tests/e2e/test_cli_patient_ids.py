"""Issue 22 at the terminal, in a real subprocess on a SQLite file: a look-alike id is one
line naming ``id`` and the rule it breaks, exit 2, and nothing is written; so is an id
enrolled with other capitals, a file holding either, and a date far outside the accepted
range; a clinic pattern that is no pattern stops every command naming the variable."""

import hashlib
from pathlib import Path

import pytest

from .cli import Terminal

ENROL = ("patient", "enrol", "--sex", "female", "--birth-date", "1970-05-01")
DIAGNOSIS = ("--diagnosis", "dermatomyositis")
RANGE = "allowed: a date from 1900-01-01 to 2200-12-31"


@pytest.fixture(scope="module")
def shell(tmp_path_factory: pytest.TempPathFactory) -> Terminal:
    terminal = Terminal(tmp_path_factory.mktemp("ids"))
    terminal.ok("init")
    terminal.ok(*ENROL, *DIAGNOSIS, "--id", "DEMO-0001")
    return terminal


def database(shell: Terminal) -> str:
    return hashlib.sha256((shell.folder / "clinic.db").read_bytes()).hexdigest()


def refused(shell: Terminal, *args: str) -> str:
    """The one line a refusal prints, after checking it wrote nothing."""
    before = database(shell)
    done = shell.run(*args, role="clinician")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert database(shell) == before
    return done.stderr.strip()


@pytest.mark.parametrize(
    ("look_alike", "rule"),
    [
        ("D\u0415MO-0001", "found CYRILLIC CAPITAL LETTER IE (U+0415) at position 2"),
        ("DEMO-0001 ", "no space at the start or end"),
        ("DEMO\u20100001", "found HYPHEN (U+2010) at position 5"),
        ("DEMO-\u200b0001", "found ZERO WIDTH SPACE (U+200B) at position 6"),
        ("PAT-\u202e1000-TED", "found RIGHT-TO-LEFT OVERRIDE (U+202E) at position 5"),
    ],
    ids=["cyrillic", "trailing-space", "unicode-hyphen", "zero-width-space", "rtl-override"],
)
def test_a_look_alike_id_is_refused_in_one_line_naming_the_rule(
    shell: Terminal, look_alike: str, rule: str
) -> None:
    said = refused(shell, *ENROL, *DIAGNOSIS, "--id", look_alike)

    assert said.startswith(f"error: id: {look_alike!r} is not allowed; allowed: an id ")
    assert rule in said and "ASCII letters A-Z and a-z" in said


def test_an_enrolled_id_in_lower_case_is_refused_naming_it_as_enrolled(shell: Terminal) -> None:
    said = refused(shell, *ENROL, *DIAGNOSIS, "--id", "demo-0001")

    assert said == (
        "error: id: 'demo-0001' is already enrolled as 'DEMO-0001' (ids are the same "
        "whatever the case)"
    )
    assert "DEMO-0001" in shell.ok("patient", "show", "DEMO-0001")


def test_a_file_with_a_look_alike_or_a_lower_case_id_enrols_no_one(shell: Terminal) -> None:
    entry = "  sex: female\n  birth_date: 1970-05-01\n  diagnosis: dermatomyositis\n"
    for second, named in (
        ("DEMO\u20100002", "patients[1].id: 'DEMO\u20100002' is not allowed"),
        (
            "demo-0001",
            "patients[1].id: 'demo-0001' is not allowed; allowed: an id not already "
            "enrolled (enrolled as 'DEMO-0001')",
        ),
        (
            "new-0003",
            "patients[1].id: 'new-0003' is not allowed; allowed: an id not repeated "
            "in the file, whatever the case (patients[0] is 'NEW-0003')",
        ),
    ):
        path = shell.folder / "patients.yaml"
        path.write_text(f"- id: NEW-0003\n{entry}- id: '{second}'\n{entry}", encoding="utf-8")

        said = refused(shell, "patient", "enrol", "--file", str(path))

        assert said.startswith(f"error: {named}")


@pytest.mark.parametrize(
    "command",
    [
        ("report", "cohort", "--from", "2026-01-01", "--to", "9999-12-31"),
        ("patient", "show", "DEMO-0001", "--as-of", "9999-12-31"),
        ("tasks", "--from", "0001-01-01"),
        ("record", "pft", "DEMO-0001", "--fvc", "70", "--dlco", "50", "--on", "9999-12-31"),
        (
            "patient",
            "enrol",
            "--id",
            "NEW-0004",
            "--sex",
            "female",
            "--birth-date",
            "0001-01-01",
            *DIAGNOSIS,
        ),
    ],
    ids=["report-to", "show-as-of", "tasks-from", "record-on", "enrol-birth-date"],
)
def test_a_date_far_outside_the_range_is_refused_naming_the_range(
    shell: Terminal, command: tuple[str, ...]
) -> None:
    said = refused(shell, *command)

    assert RANGE in said


def test_a_clinic_pattern_that_is_no_pattern_stops_every_command_naming_it(
    tmp_path: Path,
) -> None:
    terminal = Terminal(tmp_path)
    terminal.env["ILDPATH_PATIENT_ID_PATTERN"] = "[A-Z"

    done = terminal.run("init")

    assert done.returncode == 2
    assert done.stderr.startswith("error: settings: ILDPATH_PATIENT_ID_PATTERN: value error, not a")
    assert not (tmp_path / "clinic.db").exists()
