"""keyed audit: events carry the rows they wrote, chains keyed with HMAC; accounts chain

Every audit event gains ``record`` (the rows it wrote, `persistence.audit_record`) and
``key_id`` (the audit key that signed it), the access log ``key_id``; the accounts chain
(``account_event``) and the installation id (``installation``) are new.

Existing chains are re-keyed from a verified state (`persistence.audit_rekey`): each patient's
old SHA-256 chain is verified first (the upgrade stops, naming the patients, if one is
broken), every link is signed again with the audit key, and one event per patient, itself
chained, records the migration and the rows of the record as they stand.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from persistence.audit_rekey import rekey_chains, verify_chains_as_written

    verify_chains_as_written(op.get_bind())  # before anything moves (SQLite's DDL commits)
    with op.batch_alter_table("audit_event") as batch:
        batch.add_column(sa.Column("record", sa.Text(), server_default="", nullable=False))
        batch.add_column(
            sa.Column(
                "key_id",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                server_default="",
                nullable=False,
            )
        )
    with op.batch_alter_table("record_view") as batch:
        batch.add_column(
            sa.Column(
                "key_id",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                server_default="",
                nullable=False,
            )
        )
    op.create_table(
        "account_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("record", sa.Text(), server_default="", nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seq"),
    )
    op.create_table(
        "installation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("installation_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    config = op.get_context().config
    rekey_chains(op.get_bind(), config.attributes.get("audit_keyring") if config else None)


def downgrade() -> None:
    from persistence.audit_rekey import unkey_chains

    unkey_chains(op.get_bind())
    op.drop_table("installation")
    op.drop_table("account_event")
    with op.batch_alter_table("record_view") as batch:
        batch.drop_column("key_id")
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_column("key_id")
        batch.drop_column("record")
