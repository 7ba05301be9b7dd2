"""CLINICAL_SPEC §8 Acting on a task, on the reminder channels, read as a person receives them
(a real SMTP server): an assigned task's email goes to the assignee's address; a declined task
gets no reminder; a rescheduled one is reminded from its new date."""

from datetime import date, timedelta

from sqlmodel import Session, select

from ildpath.accounts import add_user
from ildpath.usecases import Actor, evaluate_patient
from ildpath.usecases.task_actions import assign_task, decline_task, reschedule_task
from persistence.tables import CareTaskRow, ReminderDeliveryRow
from scheduler.dispatcher import dispatch
from scheduler.notifiers import EmailNotifier
from scheduler.notifiers.log import LogNotifier

from ..apps import clinic, enrol
from ..notifiers.smtp_server import Mailbox, smtp_server

ENROLLED = date(2026, 3, 2)
COORDINATORS = ["ild-nurse@clinic.example"]
ANNA = Actor("anna.rossi", "coordinator")


def _task_id(app, kind: str) -> int:  # type: ignore[no-untyped-def]
    with Session(app.engine) as session:
        [task] = session.exec(select(CareTaskRow).where(CareTaskRow.kind == kind)).all()
    assert task.id is not None
    return task.id


def test_an_assigned_tasks_email_goes_to_the_assignee_and_a_declined_task_gets_none(
    database_url: str,
) -> None:
    mailbox = Mailbox()
    with clinic(database_url, ENROLLED) as (app, clock), smtp_server(mailbox) as port:
        add_user(
            app,
            "anna.rossi",
            "coordinator",
            "Ossigeno-Alto-2026",
            email="anna@clinic.example",
            by="system",
        )
        enrol(app)
        assign_task(app, _task_id(app, "pft"), "anna.rossi", ANNA)
        decline_task(app, _task_id(app, "vaccination_covid19"), "given elsewhere", ANNA)
        reschedule_task(
            app,
            _task_id(app, "vaccination_pneumococcal"),
            ENROLLED + timedelta(days=60),
            "vaccine out of stock",
            ANNA,
        )
        email = EmailNotifier("127.0.0.1", port, "ildpath@clinic.example", COORDINATORS)
        day = ENROLLED + timedelta(days=31)
        clock.move_to(day)
        evaluate_patient(app, "P-001", day)
        dispatch(app.engine, {"email": email}, day, clock.now)
        with Session(app.engine) as session:
            planned = session.exec(select(ReminderDeliveryRow)).all()

    by_subject = {
        m.message["Subject"]: m.rcpt_tos
        for m in mailbox.received
        if "P-001" in m.message["Subject"]
    }
    pft = [to for subject, to in by_subject.items() if "PFT" in subject.upper()]
    assert pft and all(to == ["anna@clinic.example"] for to in pft)
    influenza = [to for subject, to in by_subject.items() if "influenza" in subject.lower()]
    assert influenza and all(to == COORDINATORS for to in influenza)
    subjects = {r.message["subject"] for r in planned}
    assert "vaccination_covid19" not in subjects  # declined: no reminder
    assert "vaccination_pneumococcal" not in subjects  # rescheduled: not due yet


def test_a_rescheduled_task_is_reminded_afresh_from_its_new_date(database_url: str) -> None:
    """Issue 21 with §8: an overdue PFT reminded once, then rescheduled: nothing until the new
    date, then `due` on it and `overdue` the day after, each once (whatever was sent before)."""
    pft_due = ENROLLED + timedelta(days=14)
    moved_to = pft_due + timedelta(days=20)
    with clinic(database_url, pft_due + timedelta(days=10)) as (app, clock):
        enrol(app, enrolled_on=ENROLLED)
        channels = {"log": LogNotifier()}
        day = pft_due + timedelta(days=10)
        dispatch(app.engine, channels, day, clock.now)
        reschedule_task(app, _task_id(app, "pft"), moved_to, "spirometer under repair", ANNA)
        while day < moved_to + timedelta(days=3):
            day += timedelta(days=1)
            clock.move_to(day)
            for _ in range(2):
                dispatch(app.engine, channels, day, clock.now)
        with Session(app.engine) as session:
            rows = session.exec(
                select(ReminderDeliveryRow).where(
                    ReminderDeliveryRow.task_id == _task_id(app, "pft")
                )
            ).all()
    pft = sorted((r.planned_on, r.kind, r.message.get("days_overdue")) for r in rows)
    assert pft == [
        (pft_due + timedelta(days=10), "overdue", 10),
        (moved_to, "due", None),
        (moved_to + timedelta(days=1), "overdue", 1),
    ]
