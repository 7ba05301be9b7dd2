"""task actions: decline, reschedule, assign (CLINICAL_SPEC revision 2, §8 "Acting on a task")

A new table keeps every action on a care task (who, when, which, why, the new date, the
assignee); the care task row gains the one in force: its rescheduled date, its assignee and
its declined reason. Accounts gain an optional email address, where the reminders of the tasks
assigned to them go. No existing row is changed: every task stays as it was (none declined,
rescheduled or assigned).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "task_action",
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("clinical_on", sa.Date(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("task_key", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.Column("task_kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("new_due_on", sa.Date(), nullable=True),
        sa.Column("engine_due_on", sa.Date(), nullable=True),
        sa.Column("assignee", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("pathway_version", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"]),
        sa.ForeignKeyConstraint(["task_id"], ["care_task.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("task_action", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_action_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_action_task_id"), ["task_id"], unique=False)
    # Not in batch mode: on SQLite a batch would copy the table and drop it, which the foreign
    # keys of the outbox and the task actions refuse once there are rows.
    op.add_column("care_task", sa.Column("rescheduled_to", sa.Date(), nullable=True))
    op.add_column(
        "care_task",
        sa.Column("assignee", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    )
    op.add_column("care_task", sa.Column("declined_reason", sa.Text(), nullable=True))
    op.add_column(
        "user_account",
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    )


def downgrade() -> None:
    """Back to tasks nobody acts on: a declined task reads as cancelled (closed, not done, on
    the day it was declined); rescheduled dates, assignees and the actions' history are
    dropped."""
    op.execute("UPDATE care_task SET status = 'cancelled' WHERE status = 'declined'")
    op.drop_column("user_account", "email")
    op.drop_column("care_task", "declined_reason")
    op.drop_column("care_task", "assignee")
    op.drop_column("care_task", "rescheduled_to")
    with op.batch_alter_table("task_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_action_task_id"))
        batch_op.drop_index(batch_op.f("ix_task_action_patient_id"))
    op.drop_table("task_action")
