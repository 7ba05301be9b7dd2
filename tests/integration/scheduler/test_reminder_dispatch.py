"""Reminders go out when a task becomes due, when it becomes overdue, then on the configured
cadence; each once per task, channel and kind, even when dispatch runs again; after downtime,
one reminder of where the task stands, not each one missed (issue 21)."""

import logging
from collections import Counter
from datetime import date, timedelta

from sqlmodel import Session, select

from ildpath.usecases import acknowledge_alert, evaluate_patient, record_therapy
from persistence.tables import AlertRow, ReminderDeliveryRow
from scheduler.dispatcher import dispatch
from scheduler.notifiers.log import LOGGER_NAME, LogNotifier

from ..apps import CLINICIAN, clinic, enrol

ENROLLED = date(2026, 3, 2)
PFT_DUE = ENROLLED + timedelta(days=14)


def _run_days(app, clock, first: date, last: date) -> None:  # type: ignore[no-untyped-def]
    day = first
    while day <= last:
        clock.move_to(day)
        evaluate_patient(app, "P-001", day)
        dispatch(app.engine, {"log": LogNotifier()}, day, clock.now, cadence_days=7)
        day += timedelta(days=1)


def _sent(app) -> list[ReminderDeliveryRow]:  # type: ignore[no-untyped-def]
    with Session(app.engine) as session:
        return list(
            session.exec(select(ReminderDeliveryRow).where(ReminderDeliveryRow.status == "sent"))
        )


def _pft_log_lines(caplog) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == LOGGER_NAME and "pft" in r.getMessage().lower()
    ]


def test_pft_reminders_due_then_overdue_then_weekly_each_once(database_url, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    with clinic(database_url, ENROLLED) as (app, clock):
        enrol(app)
        _run_days(app, clock, ENROLLED, PFT_DUE + timedelta(days=15))
        pft = sorted((r.planned_on, r.kind) for r in _sent(app) if r.message["subject"] == "pft")
        assert pft == [
            (PFT_DUE, "due"),
            (PFT_DUE + timedelta(days=1), "overdue"),
            (PFT_DUE + timedelta(days=8), "overdue-repeat-1"),
            (PFT_DUE + timedelta(days=15), "overdue-repeat-2"),
        ]
        assert len(_pft_log_lines(caplog)) == 4


def test_dispatching_again_the_same_day_sends_nothing_twice(database_url, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    with clinic(database_url, PFT_DUE) as (app, clock):
        enrol(app, enrolled_on=ENROLLED)
        for _ in range(3):
            dispatch(app.engine, {"log": LogNotifier()}, PFT_DUE, clock.now)
        keys = Counter(r.key for r in _sent(app))
        assert keys and set(keys.values()) == {1}
        assert len(_pft_log_lines(caplog)) == 1


def test_after_downtime_one_reminder_says_where_the_task_stands_not_each_missed_one(
    database_url,
):
    """Issue 21: the due and overdue reminders missed while down are not caught up; one
    reminder says the task is overdue by 3 days (before issue 21: both were sent)."""
    with clinic(database_url, ENROLLED) as (app, clock):
        enrol(app)
        _run_days(app, clock, ENROLLED, PFT_DUE - timedelta(days=4))
        _run_days(app, clock, PFT_DUE + timedelta(days=3), PFT_DUE + timedelta(days=3))
        [pft] = [r for r in _sent(app) if r.message["subject"] == "pft"]
        assert (pft.kind, pft.message["days_overdue"]) == ("overdue", 3)
        assert "pft OVERDUE by 3 days (due 2026-03-16)" in pft.message["text"]


def test_every_critical_alert_gets_one_urgent_notice(database_url):
    with clinic(database_url, ENROLLED) as (app, clock):
        enrol(app, anti_mda5="positive", ild_course="rapidly_progressive")
        record_therapy(app, "P-001", "start", "tocilizumab", ENROLLED, CLINICIAN)
        _run_days(app, clock, ENROLLED, ENROLLED + timedelta(days=2))
        urgent = [r for r in _sent(app) if r.kind == "critical_alert"]
        assert [r.message["subject"] for r in urgent] == ["AVOID_AGENT"]
        assert urgent[0].message["severity"] == "critical"
        assert "tocilizumab" not in urgent[0].message["text"]  # no more patient data than needed


def test_an_alert_acknowledged_before_dispatch_gets_no_notice(database_url):
    """Issue 21: a clinician who acknowledged the alert needs no one to be told of it."""
    with clinic(database_url, ENROLLED) as (app, clock):
        enrol(app, anti_mda5="positive", ild_course="rapidly_progressive")
        record_therapy(app, "P-001", "start", "tocilizumab", ENROLLED, CLINICIAN)
        with Session(app.engine) as session:
            [alert] = session.exec(select(AlertRow).where(AlertRow.severity == "critical"))
        assert alert.id is not None
        acknowledge_alert(app, alert.id, "agent stopped, patient informed", CLINICIAN)
        _run_days(app, clock, ENROLLED, ENROLLED + timedelta(days=2))
        assert [r for r in _sent(app) if r.alert_id is not None] == []
