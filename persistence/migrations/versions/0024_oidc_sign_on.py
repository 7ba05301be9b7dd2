"""hospital single sign-on: identities at the OpenID Connect provider, sign-ons in progress

Two new tables; nothing existing changes. On PostgreSQL the application's role (when the
server has it) may read and write them, as every working table
(`persistence.audit_protection`).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IDENTITY, PENDING = "oidc_identity", "oidc_pending"


def _grant_to_app_role() -> None:
    from persistence.audit_protection import APP_ROLE, app_role_exists

    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or not app_role_exists(bind):
        return
    who = f'"{APP_ROLE}"'
    for table in (IDENTITY, PENDING):
        op.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON "{table}" TO {who}')
    op.execute(f'GRANT USAGE, SELECT, UPDATE ON SEQUENCE "{IDENTITY}_id_seq" TO {who}')


def upgrade() -> None:
    op.create_table(
        IDENTITY,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.Text(), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("issuer", "subject", name="uq_oidc_identity_subject"),
    )
    op.create_index(op.f("ix_oidc_identity_user_id"), IDENTITY, ["user_id"], unique=False)
    op.create_table(
        PENDING,
        sa.Column("state_digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("code_verifier", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("nonce", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("next_path", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("state_digest"),
    )
    _grant_to_app_role()


def downgrade() -> None:
    op.drop_table(PENDING)
    op.drop_index(op.f("ix_oidc_identity_user_id"), table_name=IDENTITY)
    op.drop_table(IDENTITY)
