"""What an evaluation changes in what is stored: the alerts not raised before, and the care
task rows to open, update or cancel, with the audit event each change writes.

Pure values, so one patient's use case (ORM rows, in `evaluation`) and the daily run over a
batch of patients (plain rows, in `daily_run`) decide the same changes in the same order and
write the same audit trail.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pathway import PathwayDefinition, PatientRecord, evaluate
from pathway.findings import Alert, CareTask
from pathway.record import AlertRaised

__all__ = [
    "AuditNote",
    "StoredTask",
    "TaskChange",
    "alert_note",
    "judge_missed_days",
    "missed_days",
    "task_changes",
    "task_fields",
    "unraised",
    "with_alert",
]


@dataclass(frozen=True)
class AuditNote:
    """One audit event to append: its kind, payload and clinical day."""

    kind: str
    payload: dict[str, Any]
    clinical_on: date | None = None


@dataclass(frozen=True)
class StoredTask:
    """What reconciliation needs of a stored care task row."""

    id: int | None
    key: str
    kind: str
    opened_on: date
    due_on: date
    status: str
    closed_on: date | None


@dataclass(frozen=True)
class TaskChange:
    """A care task row to insert (``stored`` is None) or update with ``fields``."""

    key: str
    fields: dict[str, Any]
    note: AuditNote
    task: CareTask | None = None
    stored: StoredTask | None = None


def task_fields(task: CareTask) -> dict[str, Any]:
    return {
        "due_on": task.due_on,
        "status": task.status.value,
        "closed_on": task.closed_on,
        "opened_on": task.opened_on,
    }


def unraised(known: Iterable[str], alerts: Iterable[Alert]) -> list[Alert]:
    """The alerts whose key has not been raised before (each key once)."""
    seen = set(known)
    fresh: list[Alert] = []
    for alert in alerts:
        if alert.key not in seen:
            seen.add(alert.key)
            fresh.append(alert)
    return fresh


def alert_note(alert_id: int | None, alert: Alert, day: date) -> AuditNote:
    return AuditNote(
        "alert_raised",
        {
            "alert_id": alert_id,
            "code": alert.code,
            "key": alert.key,
            "severity": alert.severity.value,
            "raised_on": day,
        },
        day,
    )


def task_changes(
    stored_in_order: Iterable[StoredTask], tasks: Iterable[CareTask], today: date
) -> Iterator[TaskChange]:
    """Make the task rows say what the pathway says; a row the pathway no longer derives (a
    late entry rewrote the course) is cancelled on ``today``, never deleted. The stored rows
    come in id order, so cancellations are audited in the order the rows were opened."""
    rows = list(stored_in_order)
    stored = {row.key: row for row in rows}
    derived: set[str] = set()
    for task in tasks:
        derived.add(task.key)
        row = stored.get(task.key)
        fields = task_fields(task)
        if row is None:
            yield TaskChange(
                task.key,
                fields,
                AuditNote(
                    "task_opened",
                    {"key": task.key, "kind": task.kind, **fields},
                    task.opened_on,
                ),
                task=task,
            )
        elif any(getattr(row, k) != v for k, v in fields.items()):
            yield TaskChange(
                task.key,
                fields,
                AuditNote("task_updated", {"key": task.key, "kind": task.kind, **fields}),
                task=task,
                stored=row,
            )
    for row in rows:
        if row.key not in derived and row.status == "open":
            yield TaskChange(
                row.key,
                {"status": "cancelled", "closed_on": today},
                AuditNote(
                    "task_updated",
                    {
                        "key": row.key,
                        "kind": row.kind,
                        "status": "cancelled",
                        "why": "no longer follows from the record",
                    },
                ),
                stored=row,
            )


def missed_days(last_evaluated_on: date | None, enrolled_on: date, as_of: date) -> list[date]:
    """The days since the last daily run and before ``as_of`` that were never judged."""
    first = (last_evaluated_on or enrolled_on - timedelta(days=1)) + timedelta(days=1)
    return [first + timedelta(days=n) for n in range((as_of - first).days)]


def with_alert(record: PatientRecord, alert: Alert, day: date) -> PatientRecord:
    """The record with an alert just raised, as the next day's evaluation must see it."""
    return record.appended("alerts", AlertRaised(alert.code, alert.key, day, alert.evidence))


def judge_missed_days(
    record: PatientRecord, days: list[date], definition: PathwayDefinition
) -> tuple[list[tuple[date, Alert]], PatientRecord]:
    """The alerts each missed day would have raised (as known on that day), and the record
    with them, so the day after sees what the day before raised."""
    raised: list[tuple[date, Alert]] = []
    for day in days:
        for alert in unraised(
            (a.key for a in record.alerts), evaluate(record, day, definition).alerts
        ):
            raised.append((day, alert))
            record = with_alert(record, alert, day)
    return raised, record
