"""fhir import: the ledger of imported FHIR resources (idempotent re-import)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fhir_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identity_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("part", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("identity", sa.Text(), nullable=False),
        sa.Column("resource_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("row_kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("identity_hash", "part", name="uq_fhir_import_identity_part"),
    )
    with op.batch_alter_table("fhir_import", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fhir_import_patient_id"), ["patient_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("fhir_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fhir_import_patient_id"))
    op.drop_table("fhir_import")
