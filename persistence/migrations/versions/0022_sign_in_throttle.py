"""sign-in throttle: failed sign-ins per account and per client address, shared by every
web process

A new table only; nothing existing changes. On PostgreSQL the application's role (when the
server has it) may read and write it, as every working table (`persistence.audit_protection`).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "sign_in_throttle"


def upgrade() -> None:
    from persistence.audit_protection import APP_ROLE, app_role_exists

    op.create_table(
        TABLE,
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql" and app_role_exists(bind):
        op.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON "{TABLE}" TO "{APP_ROLE}"')


def downgrade() -> None:
    op.drop_table(TABLE)
