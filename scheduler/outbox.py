"""The delivery outbox: one row per reminder and channel, planned once, sent once.

Planning inserts with ON CONFLICT DO NOTHING on the unique key, so two schedulers (or a
restart) never plan a reminder twice. Sending claims a row with SELECT ... FOR UPDATE SKIP
LOCKED (PostgreSQL; SQLite runs one scheduler and ignores it) and commits the `sent` mark
right after the channel accepted it. A process killed between those two moments leaves the row
pending and sends it again at restart with the same key, which the receiver uses to drop the
duplicate (Message-ID / Idempotency-Key): delivery is at-least-once, observed exactly once.
"""

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import Engine
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from persistence.tables import ReminderDeliveryRow

from .planning import PlannedReminder

__all__ = ["claim_next", "plan"]


def plan(
    session: Session,
    planned: Iterable[PlannedReminder],
    channels: Iterable[str],
    day: date,
    now: datetime,
) -> int:
    """Insert the reminders not planned before; returns how many are new."""
    rows = [
        {
            "key": f"{p.reminder.key}:{channel}",
            "patient_id": p.patient_row_id,
            "task_id": p.task_id,
            "alert_id": p.alert_id,
            "channel": channel,
            "kind": p.reminder.kind,
            "status": "pending",
            "attempts": 0,
            "message": {
                "key": f"{p.reminder.key}:{channel}",
                "kind": p.reminder.kind,
                "patient_id": p.reminder.patient_id,
                "subject": p.reminder.subject,
                "due_on": p.reminder.due_on.isoformat() if p.reminder.due_on else None,
                "text": p.reminder.text,
                "severity": p.reminder.severity,
            },
            "planned_on": day,
            "created_at": now,
        }
        for p in planned
        for channel in channels
    ]
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = ReminderDeliveryRow.__table__  # type: ignore[attr-defined]
    new = 0
    for start in range(0, len(rows), 500):
        statement = insert(table).values(rows[start : start + 500])
        result = session.execute(statement.on_conflict_do_nothing(index_elements=["key"]))
        new += result.rowcount or 0
    return new


def claim_next(session: Session, engine: Engine, after_id: int) -> ReminderDeliveryRow | None:
    """The next pending delivery after ``after_id``, locked for this transaction (other
    schedulers skip it)."""
    query = (
        select(ReminderDeliveryRow)
        .where(ReminderDeliveryRow.status == "pending", col(ReminderDeliveryRow.id) > after_id)
        .order_by(col(ReminderDeliveryRow.id))
        .limit(1)
    )
    if engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.exec(query).first()
