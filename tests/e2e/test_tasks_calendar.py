"""`ildpath tasks ical`: a calendar a coordinator imports, one event per task."""

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from icalendar import Calendar

from ildpath.bootstrap import bootstrap
from ildpath.clock import SimulatedClock
from ildpath.settings import Settings
from ildpath.usecases import Actor, EnrolPatient, enrol_patient, record_observation
from pathway.dates import add_months

COORDINATOR = Actor("coord", "coordinator")


def _export(url: str, out: Path) -> Calendar:
    done = subprocess.run(
        [sys.executable, "-m", "ildpath", "tasks", "ical", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "ILDPATH_DATABASE_URL": url},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return Calendar.from_ical(out.read_bytes())


def test_calendar_download_holds_open_tasks_only_with_stable_uids(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    today = date.today()  # the command reads the real clock
    app = bootstrap(Settings(database_url=url), SimulatedClock(today))
    enrolment = EnrolPatient(
        "P-1",
        "female",
        date(1970, 1, 1),
        today,
        "polymyositis",
        "negative",
        "negative",
        "non_progressive",
    )
    enrol_patient(app, enrolment, COORDINATOR)
    first = _export(url, tmp_path / "a.ics")
    events = {str(e["summary"]): e for e in first.walk("VEVENT")}
    assert set(events) == {
        f"{kind} due - patient P-1"
        for kind in (
            "pft",
            "vaccination_influenza",
            "vaccination_pneumococcal",
            "vaccination_covid19",
        )
    }
    assert events["pft due - patient P-1"].decoded("dtstart") == today + timedelta(days=14)

    record_observation(app, "P-1", "pft", {"fvc_pct": 80, "dlco_pct": 70}, today, COORDINATOR)
    app.engine.dispose()
    second = _export(url, tmp_path / "b.ics")
    by_uid_first = {str(e["uid"]): str(e["summary"]) for e in first.walk("VEVENT")}
    by_uid_second = {str(e["uid"]): str(e["summary"]) for e in second.walk("VEVENT")}
    # the vaccinations keep their events (re-importing updates them, never duplicates)
    kept = {u for u, summary in by_uid_first.items() if "vaccination" in summary}
    assert kept <= by_uid_second.keys()
    # the PFT done is gone from the download (open tasks only); the next PFT is a new event
    assert len(by_uid_second) == 4
    by_summary = {str(e["summary"]): e for e in second.walk("VEVENT")}
    assert "pft done - patient P-1" not in by_summary
    assert {str(e["status"]) for e in second.walk("VEVENT")} == {"CONFIRMED"}
    assert by_summary["pft due - patient P-1"].decoded("dtstart") == add_months(today, 6)
