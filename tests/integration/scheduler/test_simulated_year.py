"""A simulated year of an anti-MDA5 patient on triple therapy: the PFT and CMV reminders
follow the spec's intervals (PFT every 3 months when high risk, CMV weekly during intensive
immunosuppression), each sent once."""

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import text

from ildpath.jobs import run_day
from ildpath.usecases import record_observation, record_therapy
from pathway.dates import add_months
from scheduler.notifiers.log import LogNotifier

from ..apps import CLINICIAN, clinic, enrol

START = date(2026, 3, 2)
END = START + timedelta(days=365)
LATE = 4  # each PFT is done 4 days after it fell due


def _pft_days() -> list[date]:
    days, last = [START], START
    while (due := add_months(last, 3)) + timedelta(days=LATE) <= END:
        last = due + timedelta(days=LATE)
        days.append(last)
    return days


CMV_RESULTS = [START + timedelta(days=1 + 7 * week) for week in range(1, 9)]
"""Weekly CMV results on their due dates for 8 weeks, then none: the task falls overdue."""


def _expected() -> list[tuple[str, str, date]]:
    expected = []
    for done, nxt in zip(_pft_days(), _pft_days()[1:], strict=False):
        due = add_months(done, 3)
        assert nxt == due + timedelta(days=LATE)
        expected += [("pft", "due", due), ("pft", "overdue", due + timedelta(days=1))]
    last_due = add_months(_pft_days()[-1], 3)
    if last_due <= END:
        expected.append(("pft", "due", last_due))
    if last_due + timedelta(days=1) <= END:
        expected.append(("pft", "overdue", last_due + timedelta(days=1)))
    cmv_due = CMV_RESULTS[-1] + timedelta(days=7)
    expected += [("cmv_test", "due", cmv_due), ("cmv_test", "overdue", cmv_due + timedelta(1))]
    repeat, day = 1, cmv_due + timedelta(days=1 + 7)
    while day <= END:
        expected.append(("cmv_test", f"overdue-repeat-{repeat}", day))
        repeat, day = repeat + 1, day + timedelta(days=7)
    return sorted(expected, key=lambda e: (e[2], e[0], e[1]))


def test_a_simulated_year_gives_the_spec_sequence_of_pft_and_cmv_reminders(database_url):
    with clinic(database_url, START) as (app, clock):
        enrol(app, anti_mda5="positive", ild_course="rapidly_progressive")
        notifiers = {"log": LogNotifier()}
        day = START
        while day <= END:
            clock.move_to(day)
            if day == START + timedelta(days=1):
                record_therapy(
                    app,
                    "P-001",
                    "start",
                    "methylprednisolone",
                    day,
                    CLINICIAN,
                    route="iv",
                    dose_mg_per_day=1000,
                )
                record_therapy(app, "P-001", "start", "tacrolimus", day, CLINICIAN)
                record_therapy(app, "P-001", "start", "cyclophosphamide", day, CLINICIAN)
            if day in _pft_days():
                record_observation(
                    app, "P-001", "pft", {"fvc_pct": 65, "dlco_pct": 45}, day, CLINICIAN
                )
            if day in CMV_RESULTS:
                record_observation(app, "P-001", "cmv", {"iu_per_ml": 0}, day, CLINICIAN)
            run_day(app, day, notifiers)
            day += timedelta(days=1)
        with app.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT message, planned_on, status FROM reminder_delivery")
            ).all()
    messages = [(_json(m), planned, status) for m, planned, status in rows]
    sent = sorted(
        (
            (m["subject"], m["kind"], _day(planned))
            for m, planned, status in messages
            if m["subject"] in {"pft", "cmv_test"}
        ),
        key=lambda e: (e[2], e[0], e[1]),
    )
    assert all(status == "sent" for _, _, status in messages)
    assert Counter(m["key"] for m, _, _ in messages).most_common(1)[0][1] == 1
    assert sent == _expected()


def _json(value):  # type: ignore[no-untyped-def]
    return json.loads(value) if isinstance(value, str) else value


def _day(value):  # type: ignore[no-untyped-def]
    return value if isinstance(value, date) else date.fromisoformat(value)


def test_scheduler_simulate_fast_forwards_and_sends(tmp_path):
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    with clinic(url, START) as (app, _):
        enrol(app)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ildpath",
            "scheduler",
            "run",
            "--simulate",
            "--until",
            (START + timedelta(days=40)).isoformat(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "ILDPATH_DATABASE_URL": url},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"simulated {START} to {START + timedelta(days=40)}" in done.stdout
    assert "PFT due 2026-03-16" in done.stderr  # the log channel
