"""calendar feeds: a user's calendar subscription, a revocable secret kept as its digest

A new table only; nothing existing changes. On PostgreSQL the application's role
(``ildpath_app``), when it exists, may read and write it like the other working tables (the
default privileges of migration 0015 already say so for tables the owner makes; granted here
too, so a table made by another owning role is not left unreadable).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "calendar_feed"


def _grant_to_app_role() -> None:
    from persistence.audit_protection import APP_ROLE, app_role_exists

    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or not app_role_exists(bind):
        return
    who = f'"{APP_ROLE}"'
    op.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON "{TABLE}" TO {who}')
    op.execute(f'GRANT USAGE, SELECT, UPDATE ON SEQUENCE "{TABLE}_id_seq" TO {who}')


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("token_digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["username"], ["user_account.username"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_digest"),
    )
    op.create_index(op.f("ix_calendar_feed_username"), TABLE, ["username"], unique=False)
    _grant_to_app_role()


def downgrade() -> None:
    op.drop_index(op.f("ix_calendar_feed_username"), table_name=TABLE)
    op.drop_table(TABLE)
