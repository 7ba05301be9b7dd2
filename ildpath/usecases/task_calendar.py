"""Care tasks as iCalendar events (RFC 5545): one builder for the download and the feeds.

A subscribed calendar app keeps the events it has seen and replaces one only when the new
copy says it is newer: RFC 5545 orders versions of an event by ``SEQUENCE`` (then
``DTSTAMP``), and RFC 5546 wants it raised whenever the event changes, a cancellation
included. So every event carries how many times its task changed since it opened, counted
from the audit trail's ``task_updated`` events: the engine writes one for every change of a
task row, whether a person's action (reschedule, assign, decline), a closure, or a due date
the engine recomputed. Nothing new is stored for it, and the count can only grow.

A task is not an appointment: every event is all-day and ``TRANSP:TRANSPARENT``, so it never
blocks the day as busy. Only the task kind and the pseudonymous patient id are shown.
"""

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from icalendar import Calendar, Event, vDuration
from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from pathway.codes import TASKS
from persistence.tables import AuditEventRow, CareTaskRow, PatientRow

__all__ = [
    "CalendarTask",
    "Listed",
    "calendar_of",
    "change_counts",
    "event_uid",
    "task_rows",
]

CHANGED = "task_updated"
"""The audit event the engine writes for every change of a task row (`usecases.judging`)."""
_CHUNK = 500
"""Patients per query when counting changes (a bounded IN list on every database)."""
REFRESH = timedelta(hours=1)
"""How often a subscribed calendar app is asked to fetch the feed again."""


class _Keyed(Protocol):
    @property
    def patient_id(self) -> str: ...

    @property
    def key(self) -> str: ...


def event_uid(task: _Keyed) -> str:
    """Stable across exports, so re-importing the file updates events instead of adding."""
    digest = hashlib.sha256(f"{task.patient_id}\x1f{task.key}".encode()).hexdigest()[:32]
    return f"{digest}@ildpath"


@dataclass(frozen=True)
class CalendarTask:
    """A care task row as the calendar shows it."""

    id: int
    patient_row: int
    patient_id: str
    kind: str
    key: str
    due_on: date
    status: str
    updated_at: datetime
    rescheduled_to: date | None = None
    assignee: str | None = None

    @property
    def due_in_force(self) -> date:
        """The rescheduled date when a person moved it (§8), else the engine's."""
        return self.rescheduled_to or self.due_on


@dataclass(frozen=True)
class Listed:
    """A task in a calendar: open (``CONFIRMED``), or gone from it (``CANCELLED``, and why)
    so a subscriber's calendar app removes the event it holds."""

    task: CalendarTask
    gone: str | None = None
    """None while listed; else what took it away: ``done``, ``declined``, ``cancelled``, or
    ``reassigned`` (a personal feed's task now someone else's)."""


def task_rows(session: Session, *conditions: ColumnElement[bool]) -> list[CalendarTask]:
    """The task rows meeting ``conditions``, soonest due first."""
    query = (
        select(PatientRow.external_id, CareTaskRow)
        .join(CareTaskRow, col(CareTaskRow.patient_id) == col(PatientRow.id))
        .where(*conditions)
    )
    found = [
        CalendarTask(
            t.id or 0,
            t.patient_id,
            pid,
            t.kind,
            t.key,
            t.due_on,
            t.status,
            t.updated_at,
            t.rescheduled_to,
            t.assignee,
        )
        for pid, t in session.exec(query)
    ]
    return sorted(found, key=lambda t: (t.due_in_force, t.patient_id, t.kind))


def change_counts(session: Session, tasks: Iterable[CalendarTask]) -> dict[int, int]:
    """Task id -> how many times the task changed since it opened (its ``task_updated``
    events, found by the patient and the task's key in the event)."""
    wanted: dict[tuple[int, str], int] = {(t.patient_row, t.key): t.id for t in tasks}
    patients = sorted({patient for patient, _ in wanted})
    counted: Counter[int] = Counter()
    for start in range(0, len(patients), _CHUNK):
        query = (
            select(AuditEventRow.patient_id, AuditEventRow.payload)
            .where(AuditEventRow.kind == CHANGED)
            .where(col(AuditEventRow.patient_id).in_(patients[start : start + _CHUNK]))
        )
        for patient, payload in session.exec(query):
            task_id = wanted.get((patient, json.loads(payload).get("key")))
            if task_id is not None:
                counted[task_id] += 1
    return {task_id: counted[task_id] for task_id in wanted.values()}


def _description(task: CalendarTask, gone: str | None) -> str:
    about = TASKS[task.kind]
    moved = (
        f" Rescheduled from {task.due_on.isoformat()} (the engine's date)."
        if task.rescheduled_to is not None
        else ""
    )
    owner = f" Assigned to {task.assignee}." if task.assignee else ""
    left = {
        None: "",
        "reassigned": "No longer yours: assigned to someone else. ",
    }.get(gone, f"Closed ({gone}): no longer due. ")
    return (
        f"{left}{about.message} Source: {about.source}.{moved}{owner}"
        " Decision support: the care team decides."
    )


def _event(listed: Listed, changes: int, stamp: datetime) -> Event:
    task, gone = listed.task, listed.gone
    event = Event()
    event.add("uid", event_uid(task))
    event.add("dtstamp", stamp)
    # a cancellation is a change of its own: one more than the last open version, at least
    event.add("sequence", changes if gone is None else max(changes, 1))
    event.add("last-modified", task.updated_at)
    event.add("status", "CONFIRMED" if gone is None else "CANCELLED")
    event.add("transp", "TRANSPARENT")
    event.add("dtstart", task.due_in_force)
    event.add("dtend", task.due_in_force + timedelta(days=1))
    event.add("summary", f"{task.kind} due - patient {task.patient_id}")
    event.add("description", _description(task, gone))
    event.add("categories", ["ildpath", task.kind])
    return event


def calendar_of(
    name: str,
    listed: Sequence[Listed],
    changes: dict[int, int],
    stamp: datetime,
    *,
    subscribed: bool = False,
) -> bytes:
    """The calendar ``name`` of ``listed`` (open ones first, in the order given), each event
    at its version (``changes``: task id -> changes since opened); ``subscribed`` adds how
    often a calendar app should fetch it again (RFC 7986, and Outlook's older spelling)."""
    calendar = Calendar()
    calendar.add("prodid", "-//ildpath//care tasks//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    if subscribed:
        calendar.add("name", name)
        calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(REFRESH))  # an X- name: typed by hand
    ordered = [item for item in listed if item.gone is None]
    ordered += [item for item in listed if item.gone is not None]
    for item in ordered:
        calendar.add_component(_event(item, changes.get(item.task.id, 0), stamp))
    ical: Any = calendar.to_ical()  # icalendar leaves its return type unannotated
    return bytes(ical)
