"""reminder sequence: a task's next reminder found from its newest one on the channel

Issue 21: a task gets at most one reminder per channel at a time, chosen from the newest one
it got there for its date in force. The outbox gains ``rescheduled_to`` (the rescheduled date
a task reminder counted from; ``NULL``: the engine's date) and two indexes: the newest row per
task, channel and date in force is one seek on ``(task_id, channel, rescheduled_to,
id)``, and whether an alert's notice is
planned on a channel one on ``(alert_id, channel)``.

Rows written before keep their meaning: a reminder of a rescheduled task had the new date in
its key (``task:19@2026-05-01:overdue:email``), which is copied into the column, so an upgraded
database continues each task's reminders from where they stood and sends nothing again.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 09:00:00
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_outbox = sa.table(
    "reminder_delivery",
    sa.column("id", sa.Integer),
    sa.column("key", sa.String),
    sa.column("task_id", sa.Integer),
    sa.column("rescheduled_to", sa.Date),
)


def _rescheduled_to(key: str) -> date | None:
    """``task:19@2026-05-01:overdue:email`` -> 2026-05-01 (keys of that release only)."""
    _, _, rest = key.partition("@")
    try:
        return date.fromisoformat(rest[:10])
    except ValueError:
        return None


def upgrade() -> None:
    # Not in batch mode: on SQLite a batch would copy the table; a nullable column and two
    # indexes need no copy.
    op.add_column("reminder_delivery", sa.Column("rescheduled_to", sa.Date(), nullable=True))
    op.create_index(
        "ix_reminder_delivery_task_sequence",
        "reminder_delivery",
        ["task_id", "channel", "rescheduled_to", "id"],
        unique=False,
    )
    op.create_index(
        "ix_reminder_delivery_alert_channel",
        "reminder_delivery",
        ["alert_id", "channel"],
        unique=False,
    )
    bind = op.get_bind()
    moved = bind.execute(
        sa.select(_outbox.c.id, _outbox.c.key).where(
            _outbox.c.task_id.is_not(None), _outbox.c.key.like("task:%@%")
        )
    ).all()
    updates = [
        {"row_id": row_id, "moved": when}
        for row_id, key in moved
        if (when := _rescheduled_to(key)) is not None
    ]
    if updates:
        bind.execute(
            sa.update(_outbox)
            .where(_outbox.c.id == sa.bindparam("row_id"))
            .values(rescheduled_to=sa.bindparam("moved")),
            updates,
        )


def downgrade() -> None:
    """Back to finding a task's reminders by key. Rows planned since carry the installation
    id in their keys, which the older release does not look for: it would plan each open
    task's reminders again."""
    op.drop_index("ix_reminder_delivery_alert_channel", table_name="reminder_delivery")
    op.drop_index("ix_reminder_delivery_task_sequence", table_name="reminder_delivery")
    op.drop_column("reminder_delivery", "rescheduled_to")
