"""alert lifecycle (CLINICAL_SPEC revision 2, section 7a): clinical day, withdrawn, cleared

Every existing alert keeps its row: it was raised (none was ever withdrawn), its clinical day
is read as the day it was raised, and whether it still holds is judged again by the next
evaluation of its patient.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.add_column(sa.Column("clinical_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "status",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                nullable=False,
                server_default="raised",
            )
        )
        batch_op.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("withdrawn_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        batch_op.add_column(sa.Column("cleared_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("cleared_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        batch_op.add_column(sa.Column("cleared_recorded_on", sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f("ix_alert_status"), ["status"], unique=False)
    op.execute("UPDATE alert SET clinical_on = raised_on")


def downgrade() -> None:
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_status"))
        batch_op.drop_column("cleared_recorded_on")
        batch_op.drop_column("cleared_by")
        batch_op.drop_column("cleared_on")
        batch_op.drop_column("withdrawn_by")
        batch_op.drop_column("withdrawn_at")
        batch_op.drop_column("status")
        batch_op.drop_column("clinical_on")
