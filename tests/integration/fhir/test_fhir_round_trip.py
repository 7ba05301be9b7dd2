"""The round trip: a course imported from a FHIR Bundle leaves the patient exactly where the
same course typed in at the command line does: same state, same alerts on the same days, the
same open care tasks due on the same days."""

from typing import Any

import pytest

from ildpath.fhir import import_bundle
from ildpath.usecases import Actor, patient_summary
from ildpath.usecases.patient_data import patient_data
from tests.e2e.cli import Terminal
from tests.integration.apps import clinic

from .course import BUNDLE, CLI_COURSE, CLI_ENROLMENT, PATIENT, bundle, utc_today


def _picture(data: dict[str, Any]) -> dict[str, Any]:
    """What must match, with dates as the command line prints them."""
    return {
        "state": data["state"],
        "alerts": sorted((a["code"], str(a["raised_on"])) for a in data["alerts"]),
        "open_tasks": sorted(
            (t["kind"], str(t["due_on"])) for t in data["tasks"] if t["status"] == "open"
        ),
        "phenotype": data["phenotype"],
    }


COORDINATOR = Actor("coord-anna", "coordinator")


@pytest.fixture(scope="module")
def typed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The course typed in by a coordinator at the command line (its own SQLite file)."""
    terminal = Terminal(tmp_path_factory.mktemp("typed"))
    terminal.ok(*CLI_ENROLMENT)
    for command in CLI_COURSE:
        terminal.ok(*command)
    shown: dict[str, Any] = terminal.json("patient", "show", PATIENT)
    return shown


def test_importing_the_bundle_gives_the_course_typed_in_at_the_command_line(database_url, typed):
    with clinic(database_url, utc_today()) as (app, _):
        report = import_bundle(app, bundle(), COORDINATOR)
        imported = patient_data(patient_summary(app, PATIENT))

    assert report.counts()["invalid"] == 0
    assert _picture(imported) == _picture(typed)
    assert {"CMV_REACTIVATION", "TRANSPLANT_REFERRAL_NEEDED"} <= {
        code for code, _ in _picture(imported)["alerts"]
    }


def test_the_command_line_imports_the_bundle_as_the_api_does(tmp_path):
    terminal = Terminal(tmp_path)

    report = terminal.json("fhir", "import", str(BUNDLE))
    again = terminal.json("fhir", "import", str(BUNDLE))

    assert report["counts"]["created"] == 17
    assert again["counts"]["created"] == 0
    assert again["counts"]["already_imported"] == 17
    shown = terminal.json("patient", "show", PATIENT)
    assert shown["phenotype"]["anti_mda5"] == "positive"


def test_the_command_line_refuses_an_invalid_bundle_with_exit_2(tmp_path):
    terminal = Terminal(tmp_path)
    broken = tmp_path / "broken.json"
    broken.write_text('{"resourceType": "Bundle", "type": "history"}', encoding="utf-8")

    done = terminal.run("fhir", "import", str(broken))

    assert done.returncode == 2
    assert "Bundle.type" in done.stderr
    assert terminal.run("patient", "show", PATIENT).returncode == 2
