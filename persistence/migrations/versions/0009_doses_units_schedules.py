"""doses with a unit and a schedule; the patient's height (CLINICAL_SPEC revision 2, §11, §1)

A therapy start's dose was one number, mg per day. It is now an amount with a unit and a
schedule (``dose``, ``unit``, ``every``); every stored ``dose_mg_per_day`` is kept as what it
meant: that many mg every day. The patient row gains ``height_cm`` (for doses per m²).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.add_column(sa.Column("height_cm", sa.Float(), nullable=True))
    with op.batch_alter_table("therapy_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dose", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True)
        )
        batch_op.add_column(
            sa.Column("every", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True)
        )
    op.execute(
        "UPDATE therapy_event SET dose = dose_mg_per_day, unit = 'mg', every = 'day' "
        "WHERE dose_mg_per_day IS NOT NULL"
    )
    with op.batch_alter_table("therapy_event", schema=None) as batch_op:
        batch_op.drop_column("dose_mg_per_day")


def downgrade() -> None:
    """Back to mg per day: a dose in mg or g every day converts; any other (per kg, per m²,
    another schedule) cannot be said in mg per day and is left empty."""
    with op.batch_alter_table("therapy_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dose_mg_per_day", sa.Float(), nullable=True))
    op.execute(
        "UPDATE therapy_event SET dose_mg_per_day = CASE unit WHEN 'g' THEN dose * 1000 "
        "ELSE dose END WHERE every = 'day' AND unit IN ('mg', 'g')"
    )
    with op.batch_alter_table("therapy_event", schema=None) as batch_op:
        batch_op.drop_column("every")
        batch_op.drop_column("unit")
        batch_op.drop_column("dose")
    # Not in batch mode: on SQLite a batch would copy the patient table and drop it, which the
    # foreign keys of every clinical table refuse once there are rows (SQLite >= 3.35 drops a
    # column in place).
    op.drop_column("patient", "height_cm")
