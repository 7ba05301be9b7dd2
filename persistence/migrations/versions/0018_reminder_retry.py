"""reminder retry: when a delivery is tried next, when it was tried last, when a person re-queued it

``next_attempt_at`` (null: due now) holds a failing delivery back for its backoff;
``last_attempt_at`` says when it was last tried; ``requeued_at`` (set by ``ildpath reminders
retry`` and the dashboard's "Retry now") restarts its age limit. The partial index on pending
rows by channel serves the dispatcher's "pending and due on this channel" walk, and stays small
however many sent rows the outbox keeps. Columns only: the application role's table grants
(0015) already cover them.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    with op.batch_alter_table("reminder_delivery") as batch:
        batch.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("requeued_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_reminder_delivery_pending",
        "reminder_delivery",
        ["channel", "id"],
        unique=False,
        sqlite_where=_PENDING,
        postgresql_where=_PENDING,
    )


def downgrade() -> None:
    op.drop_index("ix_reminder_delivery_pending", table_name="reminder_delivery")
    with op.batch_alter_table("reminder_delivery") as batch:
        batch.drop_column("requeued_at")
        batch.drop_column("last_attempt_at")
        batch.drop_column("next_attempt_at")
