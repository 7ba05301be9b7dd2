"""Days the daily run missed are judged before a new entry, so an alert is never dated late
because the scheduler was down (or never run, by a clinic on the command line alone)."""

from datetime import date, timedelta

from sqlmodel import select

from ildpath.usecases import record_therapy
from persistence.tables import AlertRow
from tests.integration.apps import CLINICIAN, clinic, enrol

F = date(2026, 3, 2)


def test_step_up_alert_is_dated_f_plus_4_when_the_late_agent_comes_after_downtime(
    database_url: str,
) -> None:
    with clinic(database_url, F) as (app, clock):
        enrol(app, anti_mda5="positive", ild_course="rapidly_progressive")
        record_therapy(app, "P-001", "start", "methylprednisolone", F, CLINICIAN, "iv", 1000)
        clock.move_to(F + timedelta(days=7))  # no daily run in between
        record_therapy(app, "P-001", "start", "tacrolimus", clock.today(), CLINICIAN, None, 4)
        with app.transaction() as session:
            alerts = {a.code: a.raised_on for a in session.exec(select(AlertRow))}
    assert alerts["MDA5_STEP_UP_THERAPY"] == F + timedelta(days=4)
