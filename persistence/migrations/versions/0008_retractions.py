"""retractions: entries corrected or entered in error (CLINICAL_SPEC §11 Corrections)

A new table only: no existing row is changed, so every entry recorded before stays as it was
(none retracted).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "retraction",
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("clinical_on", sa.Date(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("part", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("entry_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("replaced_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("patient_id", "entry_id", name="uq_retraction_patient_entry"),
    )
    with op.batch_alter_table("retraction", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_retraction_patient_id"), ["patient_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("retraction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_retraction_patient_id"))
    op.drop_table("retraction")
