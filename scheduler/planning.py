"""Which reminders are due on a day (issue 3): a task's `due` reminder on its due date, its
`overdue` reminder the day after, then a repeat every ``cadence_days`` while it stays open; an
urgent notice for every critical alert that stands. Missed days are not lost: anything due by
``day`` and not yet planned is planned now.

An alert withdrawn within its recording day (CLINICAL_SPEC §7a) gets no notice; if its notice
was already sent, a withdrawal notice follows on the channels that carried it.

The queries read plain columns, not ORM objects: the scheduler walks every open task due by
``day`` on each pass (thousands of them in a large clinic), and building an identity-mapped
object per row costs more than the rest of planning together."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlmodel import Session

from persistence.account_tables import UserRow
from persistence.tables import AlertRow, CareTaskRow, PatientRow, ReminderDeliveryRow

from .reminder import Reminder

__all__ = ["WITHDRAWN", "PlannedReminder", "due_reminders", "withdrawal_text"]

DISCLAIMER = "Decision support: the care team decides."

_task = CareTaskRow.__table__  # type: ignore[attr-defined]
_alert = AlertRow.__table__  # type: ignore[attr-defined]
_patient = PatientRow.__table__  # type: ignore[attr-defined]
_user = UserRow.__table__  # type: ignore[attr-defined]


_outbox = ReminderDeliveryRow.__table__  # type: ignore[attr-defined]

WITHDRAWN = "alert_withdrawn"
"""The reminder kind of a withdrawal notice."""


@dataclass(frozen=True)
class PlannedReminder:
    reminder: Reminder
    patient_row_id: int
    task_id: int | None = None
    alert_id: int | None = None
    channels: tuple[str, ...] | None = None
    """Only these channels (a withdrawal notice follows its notice where it went); ``None``:
    every configured channel."""


def _task_kinds(due_on: date, day: date, cadence_days: int) -> Iterator[str]:
    """Oldest first; the kinds of a later day always extend those of an earlier one (the
    outbox relies on it to skip a task whose newest reminder is planned)."""
    if due_on <= day:
        yield "due"
    late = (day - due_on).days
    if late >= 1:
        yield "overdue"
    if cadence_days > 0:
        for repeat in range(1, (late - 1) // cadence_days + 1 if late > 1 else 1):
            yield f"overdue-repeat-{repeat}"


def _task_text(kind: str, subject: str, due_on: date, patient_id: str) -> str:
    state = "due" if kind == "due" else "OVERDUE"
    return f"Patient {patient_id}: {subject} {state} (due {due_on.isoformat()}). {DISCLAIMER}"


def _task_key(task_id: int, rescheduled_to: date | None, kind: str) -> str:
    """A rescheduled task's reminders count again from its new date (§8): their keys name
    it, so a reminder sent before the reschedule does not stand for one after it."""
    if rescheduled_to is None:
        return f"task:{task_id}:{kind}"
    return f"task:{task_id}@{rescheduled_to.isoformat()}:{kind}"


def _task_reminders(session: Session, day: date, cadence_days: int) -> Iterator[PlannedReminder]:
    """Open tasks due (by the date in force: a rescheduled one's new date, §8) by ``day``; a
    task assigned to a user with an email address is reminded to that address. A declined
    task is closed: it gets no reminder."""
    in_force = func.coalesce(_task.c.rescheduled_to, _task.c.due_on)
    tasks = session.execute(
        select(
            _task.c.id,
            _task.c.patient_id,
            _task.c.kind,
            in_force,
            _task.c.rescheduled_to,
            _patient.c.external_id,
            _user.c.email,
        )
        .join(_patient, _patient.c.id == _task.c.patient_id)
        .outerjoin(
            _user,
            and_(_user.c.username == _task.c.assignee, _user.c.active.is_(True)),
        )
        .where(_task.c.status == "open", in_force <= day)
        .order_by(in_force, _task.c.id)
    )
    for task_id, patient_row_id, subject, due_on, moved, patient_id, email in tasks:
        for kind in _task_kinds(due_on, day, cadence_days):
            yield PlannedReminder(
                Reminder(
                    _task_key(task_id, moved, kind),
                    kind,
                    patient_id,
                    subject,
                    due_on,
                    _task_text(kind, subject, due_on, patient_id),
                    recipients=(email,) if email else (),
                ),
                patient_row_id,
                task_id=task_id,
            )


def _alert_reminders(session: Session, day: date) -> Iterator[PlannedReminder]:
    alerts = session.execute(
        select(
            _alert.c.id,
            _alert.c.patient_id,
            _alert.c.code,
            _alert.c.raised_on,
            _patient.c.external_id,
        )
        .join(_patient, _patient.c.id == _alert.c.patient_id)
        .where(
            _alert.c.severity == "critical",
            _alert.c.status != "withdrawn",
            _alert.c.raised_on <= day,
            _alert.c.raised_on >= day - timedelta(days=365),
        )
        .order_by(_alert.c.id)
    )
    for alert_id, patient_row_id, code, raised_on, patient_id in alerts:
        text = (
            f"Patient {patient_id}: CRITICAL alert {code} raised "
            f"{raised_on.isoformat()}. {DISCLAIMER}"
        )
        yield PlannedReminder(
            Reminder(
                f"alert:{alert_id}:critical_alert",
                "critical_alert",
                patient_id,
                code,
                None,
                text,
                "critical",
            ),
            patient_row_id,
            alert_id=alert_id,
        )


def withdrawal_text(patient_id: str, code: str, raised_on: date, by: str | None) -> str:
    """What a withdrawal notice says, in full (the log and webhook ``text``)."""
    return (
        f"Patient {patient_id}: CRITICAL alert {code} raised {raised_on.isoformat()} was "
        "WITHDRAWN: the same day's entries show its cause did not hold "
        f"— {by or 'a same-day entry'}. The earlier notice no longer applies; nothing is "
        f"to be acknowledged for it. {DISCLAIMER}"
    )


def _withdrawal_notices(session: Session, day: date) -> Iterator[PlannedReminder]:
    """A withdrawal notice for every withdrawn alert whose critical notice was sent, on the
    channels that sent it (§7a)."""
    rows = session.execute(
        select(
            _alert.c.id,
            _alert.c.patient_id,
            _alert.c.code,
            _alert.c.raised_on,
            _alert.c.withdrawn_at,
            _alert.c.withdrawn_by,
            _patient.c.external_id,
            _outbox.c.channel,
        )
        .join(_outbox, _outbox.c.alert_id == _alert.c.id)
        .join(_patient, _patient.c.id == _alert.c.patient_id)
        .where(
            _alert.c.status == "withdrawn",
            _alert.c.raised_on >= day - timedelta(days=365),
            _outbox.c.kind == "critical_alert",
            _outbox.c.status == "sent",
        )
        .order_by(_alert.c.id, _outbox.c.channel)
    )
    channels: dict[int, list[str]] = {}
    found: dict[int, tuple[Any, ...]] = {}
    for row in rows:
        found.setdefault(row.id, tuple(row))
        channels.setdefault(row.id, []).append(row.channel)
    for alert_id, (_, patient_row_id, code, raised_on, at, by, patient_id, _) in found.items():
        yield PlannedReminder(
            Reminder(
                f"alert:{alert_id}:{WITHDRAWN}",
                WITHDRAWN,
                patient_id,
                code,
                at.date() if at is not None else raised_on,
                withdrawal_text(patient_id, code, raised_on, by),
                "critical",
                withdrawn_by=by,
            ),
            patient_row_id,
            alert_id=alert_id,
            channels=tuple(channels[alert_id]),
        )


def due_reminders(session: Session, day: date, cadence_days: int) -> Iterator[PlannedReminder]:
    """Every reminder that should have gone out by ``day`` (planning is idempotent). A task's
    reminders come together, oldest kind first."""
    yield from _task_reminders(session, day, cadence_days)
    yield from _alert_reminders(session, day)
    yield from _withdrawal_notices(session, day)
