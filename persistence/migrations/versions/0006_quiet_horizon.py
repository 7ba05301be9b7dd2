"""quiet horizon: the day through which a patient's daily judgement cannot change

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quiet_until", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("quiet_version", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("quiet_basis", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_column("quiet_basis")
        batch_op.drop_column("quiet_version")
        batch_op.drop_column("quiet_until")
