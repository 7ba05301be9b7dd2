"""reminder preferences: immediate or a daily digest per user; digests in the outbox

A new table ``reminder_preference`` (one row per user who chose; none: immediate), and
``reminder_delivery.patient_id`` may be empty: a daily digest covers many patients. On
PostgreSQL the application's role gets read/write on the new table, as on the other working
tables (`persistence.audit_protection`). Downgrade drops the table and the digests (the only
rows without a patient) before the column is required again.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _grant_to_application() -> None:
    """The application's role reads and writes the new table (default privileges already
    cover it when the owner who ran 0015 runs this; said here so a role made since gets it)."""
    from persistence.audit_protection import APP_ROLE, app_role_exists

    bind = op.get_bind()
    if bind.dialect.name == "postgresql" and app_role_exists(bind):
        op.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON "reminder_preference" TO "{APP_ROLE}"')


def upgrade() -> None:
    op.create_table(
        "reminder_preference",
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("delivery", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("digest_hour", sa.Integer(), nullable=False),
        sa.Column("timezone", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["username"], ["user_account.username"]),
        sa.PrimaryKeyConstraint("username"),
    )
    with op.batch_alter_table("reminder_delivery", schema=None) as batch_op:
        batch_op.alter_column("patient_id", existing_type=sa.Integer(), nullable=True)
    _grant_to_application()


def downgrade() -> None:
    op.execute("DELETE FROM reminder_delivery WHERE patient_id IS NULL")
    with op.batch_alter_table("reminder_delivery", schema=None) as batch_op:
        batch_op.alter_column("patient_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("reminder_preference")
