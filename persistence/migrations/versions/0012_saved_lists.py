"""saved working lists: a coordinator's named filters of the board, per user

A new table only; nothing existing changes.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "saved_list",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "name", name="uq_saved_list_user_name"),
    )
    op.create_index(op.f("ix_saved_list_user_id"), "saved_list", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_saved_list_user_id"), table_name="saved_list")
    op.drop_table("saved_list")
