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


def test_calendar_keeps_uids_stable_and_cancels_closed_tasks(tmp_path: Path) -> None:
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
    uids_first = {str(e["uid"]) for e in first.walk("VEVENT")}
    uids_second = {str(e["uid"]) for e in second.walk("VEVENT")}
    assert uids_first <= uids_second  # same events, updated on re-import, none duplicated
    assert len(uids_second) == 5
    by_summary = {str(e["summary"]): e for e in second.walk("VEVENT")}
    assert str(by_summary["pft done - patient P-1"]["status"]) == "CANCELLED"
    assert str(by_summary["pft due - patient P-1"]["status"]) == "CONFIRMED"
    assert by_summary["pft due - patient P-1"].decoded("dtstart") == add_months(today, 6)
