"""Migration 0020 (issue 21): a database whose outbox was written by the release before
(keys without the installation id; every due, overdue and repeat reminder planned one by one)
continues each task's reminders from where they stood after the upgrade: nothing is sent
again, a rescheduled task's reminders still count from its new date, and the next repeat
comes on the cadence from the last one sent, keyed under the installation id."""

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from ildpath.bootstrap import bootstrap
from ildpath.clock import SimulatedClock
from ildpath.settings import Settings
from ildpath.usecases import record_therapy
from ildpath.usecases.task_actions import reschedule_task
from persistence.database import make_engine
from persistence.installation import installation_id
from scheduler.dispatcher import dispatch
from scheduler.notifiers.log import LogNotifier
from tests.integration.apps import CLINICIAN, enrol
from tests.integration.migrating import migrate

pytestmark = pytest.mark.writes_outside_the_writer  # the schema moved and rows written by hand

ENROLLED = date(2026, 3, 2)
PFT_DUE = ENROLLED + timedelta(days=14)
MOVED_TO = ENROLLED + timedelta(days=27)
"""The pneumococcal vaccination (engine date: day 30) rescheduled to day 27."""
DAY = ENROLLED + timedelta(days=31)


def _old_row(task_or_alert: tuple[str, int], key: str, kind: str, on: date) -> dict[str, object]:
    """A sent reminder as the release before wrote it."""
    column, row_id = task_or_alert
    at = datetime.combine(on, time(12), UTC)
    return {
        "key": key,
        "task_id": row_id if column == "task" else None,
        "alert_id": row_id if column == "alert" else None,
        "kind": kind,
        "message": json.dumps({"key": key, "kind": kind, "patient_id": "P-001"}),
        "on": on,
        "at": at,
    }


def _write_old_outbox(url: str, tasks: dict[str, int], alert: int) -> None:
    pft, moved = ("task", tasks["pft"]), ("task", tasks["vaccination_pneumococcal"])
    rows = [
        _old_row(pft, f"task:{tasks['pft']}:due:log", "due", PFT_DUE),
        _old_row(pft, f"task:{tasks['pft']}:overdue:log", "overdue", PFT_DUE + timedelta(1)),
        *(
            _old_row(
                pft,
                f"task:{tasks['pft']}:overdue-repeat-{n}:log",
                f"overdue-repeat-{n}",
                PFT_DUE + timedelta(days=1 + 7 * n),
            )
            for n in (1, 2)
        ),
        *(
            _old_row(moved, f"task:{moved[1]}@{MOVED_TO}:{kind}:log", kind, MOVED_TO + timedelta(d))
            for d, kind in enumerate(("due", "overdue"))
        ),
        _old_row(("alert", alert), f"alert:{alert}:critical_alert:log", "critical_alert", ENROLLED),
    ]
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO reminder_delivery (key, patient_id, task_id, alert_id, channel, "
                    "kind, status, attempts, message, planned_on, created_at, sent_at) VALUES "
                    "(:key, 1, :task_id, :alert_id, 'log', :kind, 'sent', 1, :message, :on, "
                    ":at, :at)"
                ),
                rows,
            )
    finally:
        engine.dispose()


def _planned(url: str, on: date) -> list[tuple[str, str]]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT coalesce(t.kind, 'alert'), d.kind FROM reminder_delivery d "
                    "LEFT JOIN care_task t ON t.id = d.task_id WHERE d.planned_on = :on "
                    "ORDER BY 1"
                ),
                {"on": on},
            )
            return [tuple(r) for r in rows]  # type: ignore[misc]
    finally:
        engine.dispose()


def test_an_outbox_written_before_0020_is_continued_not_sent_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    clock = SimulatedClock(ENROLLED)
    app = bootstrap(Settings(database_url=url), clock)
    try:
        enrol(app, anti_mda5="positive", ild_course="rapidly_progressive")
        record_therapy(app, "P-001", "start", "tocilizumab", ENROLLED, CLINICIAN)
        with app.engine.connect() as connection:
            tasks = dict(connection.execute(text("SELECT kind, id FROM care_task")).all())
            alert = connection.execute(text("SELECT id FROM alert")).scalar_one()
        reschedule_task(app, tasks["vaccination_pneumococcal"], MOVED_TO, "no stock", CLINICIAN)
    finally:
        app.engine.dispose()
    migrate(url, "0016", down=True)
    _write_old_outbox(url, tasks, alert)
    migrate(url, "head")

    app = bootstrap(Settings(database_url=url), clock)
    try:
        with app.engine.connect() as connection:
            moved = connection.execute(
                text("SELECT DISTINCT rescheduled_to FROM reminder_delivery WHERE task_id = :t"),
                {"t": tasks["vaccination_pneumococcal"]},
            ).scalars()
            assert [str(m) for m in moved] == [MOVED_TO.isoformat()]
        clock.move_to(DAY)
        dispatch(app.engine, {"log": LogNotifier()}, DAY, clock.now)
        # only the tasks that had no reminder yet (the vaccinations due yesterday, the
        # transplant referral): the PFT, the rescheduled one and the alert are not sent again
        assert _planned(url, DAY) == [
            ("transplant_referral", "overdue"),
            ("vaccination_covid19", "overdue"),
            ("vaccination_influenza", "overdue"),
        ]
        later = PFT_DUE + timedelta(days=1 + 7 * 3)  # the cadence from the last repeat sent
        for day in (later - timedelta(days=1), later):
            clock.move_to(day)
            dispatch(app.engine, {"log": LogNotifier()}, day, clock.now)
        assert "pft" not in dict(_planned(url, later - timedelta(days=1)))
        assert dict(_planned(url, later))["pft"] == "overdue-repeat-3"
        installation = installation_id(app.engine, create=False)
        with app.engine.connect() as connection:
            key = connection.execute(
                text("SELECT key FROM reminder_delivery WHERE kind = 'overdue-repeat-3'")
            ).scalar_one()
        assert key == f"{installation}:task:{tasks['pft']}:overdue-repeat-3:log"
    finally:
        app.engine.dispose()
