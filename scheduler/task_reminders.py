"""Which task reminders to plan on a day: for every open task due by then (by its date in
force, §8), at most one per channel, chosen by `reminder_sequence` from the newest reminder
the task got on that channel.

The history is read from the outbox's columns (task, channel, kind, status, when sent, which
rescheduled date it counted from), never from key strings: rows written by an older release
(other key shapes, the kinds it planned then) count the same, so an upgraded database does
not send again what it sent before.

The scheduler runs this every few minutes over every open task due so far, so the newest row
per task and channel is one index seek each (``ix_reminder_delivery_task_sequence``, a
correlated ``ORDER BY id DESC LIMIT 1``), and the rows found are then read by primary key."""

from collections.abc import Iterator, Sequence
from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy import ARRAY, Integer, and_, any_, bindparam, case, func, select, text
from sqlmodel import Session

from persistence.account_tables import UserRow
from persistence.tables import CareTaskRow, PatientRow, ReminderDeliveryRow

from .notifiers.wording import DISCLAIMER, overdue_by
from .planned import PlannedReminder, reminder_key
from .reminder import Reminder
from .reminder_sequence import LastReminder, days_overdue, next_kind

__all__ = ["task_reminders"]

_task = CareTaskRow.__table__  # type: ignore[attr-defined]
_patient = PatientRow.__table__  # type: ignore[attr-defined]
_user = UserRow.__table__  # type: ignore[attr-defined]
_outbox = ReminderDeliveryRow.__table__  # type: ignore[attr-defined]

_LOOKUP_CHUNK = 900
"""Ids per ``IN (...)`` lookup: under SQLite's old limit of 999 bound parameters."""

PENDING = "pending"
"""The one status of a reminder still to be delivered (or retried); any other status is
settled: ``sent``, or given up on (failed, withdrawn)."""

_history_columns = (
    _outbox.c.id,
    _outbox.c.kind,
    _outbox.c.status,
    _outbox.c.sent_at,
    _outbox.c.planned_on,
)
_history_in = select(*_history_columns).where(_outbox.c.id.in_(bindparam("ids", expanding=True)))
_history_any = select(*_history_columns).where(
    _outbox.c.id == any_(bindparam("ids", type_=ARRAY(Integer)))
)
_in_flight = (
    select(_outbox.c.task_id, _outbox.c.channel)
    .where(_outbox.c.status == PENDING, _outbox.c.task_id.is_not(None))
    .distinct()
)


_NO_JIT = text("SET LOCAL jit = off")
"""For the planning transaction on PostgreSQL: a correlated seek per open task makes the
query's estimated cost large enough for PostgreSQL to JIT-compile it, which took 1.4 s for
20 ms of work at 10,000 due tasks (a pass was three times slower than before issue 21)."""


def _newest(channel: str, same_date: Any) -> Any:
    return (
        select(_outbox.c.id)
        .where(_outbox.c.task_id == _task.c.id, _outbox.c.channel == channel, same_date)
        .order_by(_outbox.c.id.desc())
        .limit(1)
        .correlate(_task)
        .scalar_subquery()
    )


def _newest_in_series(channel: str) -> Any:
    """The id of the newest reminder of the outer query's task on ``channel`` that counted
    from the task's date in force (the same rescheduled date, or both the engine's).

    Two subqueries rather than one with ``IS NULL OR =``: each is then a single descent of
    ``(task_id, channel, rescheduled_to, id)`` on both databases, where the OR made
    PostgreSQL read every reminder the task ever got on the channel and sort them."""
    return case(
        (
            _task.c.rescheduled_to.is_(None),
            _newest(channel, _outbox.c.rescheduled_to.is_(None)),
        ),
        else_=_newest(channel, _outbox.c.rescheduled_to == _task.c.rescheduled_to),
    )


def _settled_on(
    status: str, sent_at: datetime | None, planned_on: date, zone: tzinfo
) -> date | None:
    """The clinic day the cadence counts from: delivered, the day it was sent (in the
    clinic's time zone); given up on, the day it was planned; pending, none yet."""
    if status == PENDING:
        return None
    if status == "sent" and sent_at is not None:
        return sent_at.astimezone(zone).date()
    return planned_on


def _history(session: Session, ids: Sequence[int], zone: tzinfo) -> dict[int, LastReminder]:
    """The outbox rows ``ids`` as the sequence reads them: one array parameter on
    PostgreSQL, chunks of bound parameters on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        rows = list(session.execute(_history_any, {"ids": list(ids)}))
    else:
        rows = []
        for start in range(0, len(ids), _LOOKUP_CHUNK):
            rows += session.execute(_history_in, {"ids": list(ids[start : start + _LOOKUP_CHUNK])})
    return {
        row_id: LastReminder(kind, _settled_on(status, sent_at, planned_on, zone))
        for row_id, kind, status, sent_at, planned_on in rows
    }


def _text(subject: str, due_on: date, patient_id: str, late: int | None) -> str:
    state = "due" if late is None else f"OVERDUE by {overdue_by(late)}"
    return f"Patient {patient_id}: {subject} {state} (due {due_on.isoformat()}). {DISCLAIMER}"


def _source(task_id: int, rescheduled_to: date | None) -> str:
    """A rescheduled task's reminders count again from its new date (§8): their keys name
    it, so a reminder sent before the reschedule does not stand for one after it."""
    if rescheduled_to is None:
        return f"task:{task_id}"
    return f"task:{task_id}@{rescheduled_to.isoformat()}"


def task_reminders(
    session: Session,
    day: date,
    cadence_days: int,
    channels: Sequence[str],
    installation: str,
    zone: tzinfo,
) -> Iterator[PlannedReminder]:
    """The next reminder of every open task due by ``day`` on each channel that should hear
    of it now; channels that agree on the kind share one `PlannedReminder`. A task assigned
    to a user with an email address is reminded to that address; a declined task is closed
    and gets none."""
    channels = list(channels)
    if not channels:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_NO_JIT)
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
            *(_newest_in_series(channel) for channel in channels),
        )
        .join(_patient, _patient.c.id == _task.c.patient_id)
        .outerjoin(
            _user,
            and_(_user.c.username == _task.c.assignee, _user.c.active.is_(True)),
        )
        .where(_task.c.status == "open", in_force <= day)
        .order_by(in_force, _task.c.id)
    ).all()
    newest_ids = sorted({row_id for row in tasks for row_id in row[7:] if row_id is not None})
    history = _history(session, newest_ids, zone)
    in_flight = {(task_id, channel) for task_id, channel in session.execute(_in_flight)}
    for task_id, patient_row_id, subject, due_on, moved, patient_id, email, *newest in tasks:
        wanted: dict[str, list[str]] = {}
        for channel, row_id in zip(channels, newest, strict=True):
            if (task_id, channel) in in_flight:
                continue
            last = history.get(row_id) if row_id is not None else None
            kind = next_kind(due_on, day, cadence_days, last)
            if kind is not None:
                wanted.setdefault(kind, []).append(channel)
        for kind, on in wanted.items():
            late = days_overdue(kind, due_on, day)
            yield PlannedReminder(
                Reminder(
                    reminder_key(installation, _source(task_id, moved), kind),
                    kind,
                    patient_id,
                    subject,
                    due_on,
                    _text(subject, due_on, patient_id, late),
                    recipients=(email,) if email else (),
                    days_overdue=late,
                ),
                patient_row_id,
                task_id=task_id,
                channels=tuple(on),
                rescheduled_to=moved,
            )
