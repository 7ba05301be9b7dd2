"""listing views: the access log of requests that show several patients at once

Two new tables: ``listing_view`` (one row per request: who, role, when, through what, the
listing and how it was asked for, how many patients, the chain's fields) and
``listing_view_patient`` (the patients shown, one row each, covered by the entry's hash). Both
are made append-only as migration 0015 made the other audit tables (triggers; on PostgreSQL
the application's role may only read and append), by `protect_added_tables`, which touches
only these two tables, so nothing 0015 installed changes.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LISTING = "listing_view"
SHOWN = "listing_view_patient"


def upgrade() -> None:
    from persistence.audit_protection import protect_added_tables

    op.create_table(
        LISTING,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("via", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("what", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("patients", sa.Integer(), nullable=False),
        sa.Column("viewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seq"),
    )
    op.create_table(
        SHOWN,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["listing_id"], [f"{LISTING}.id"]),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("listing_id", "patient_id", name="uq_listing_view_patient"),
    )
    with op.batch_alter_table(SHOWN, schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_listing_view_patient_listing_id"), ["listing_id"])
        batch_op.create_index(batch_op.f("ix_listing_view_patient_patient_id"), ["patient_id"])
    protect_added_tables(op.get_bind(), (LISTING, SHOWN))


def downgrade() -> None:
    from persistence.audit_protection import unprotect_tables

    unprotect_tables(op.get_bind(), (LISTING, SHOWN))
    with op.batch_alter_table(SHOWN, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listing_view_patient_patient_id"))
        batch_op.drop_index(batch_op.f("ix_listing_view_patient_listing_id"))
    op.drop_table(SHOWN)
    op.drop_table(LISTING)
