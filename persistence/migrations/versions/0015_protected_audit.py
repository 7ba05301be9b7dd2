"""protected audit: audit tables only appended to (triggers; the application role's grants)

SQLite: triggers refuse UPDATE and DELETE of ``audit_event``, ``record_view``,
``account_event`` and ``installation``. PostgreSQL: a trigger function refuses UPDATE, DELETE
and TRUNCATE of them, and when the role ``ildpath_app`` exists it may only SELECT and INSERT
there (see `persistence.audit_protection`, docs/audit.md "Protected tables"). Run as the
database's owner.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 02:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from persistence.audit_protection import protect_audit_tables

    protect_audit_tables(op.get_bind())


def downgrade() -> None:
    from persistence.audit_protection import unprotect_audit_tables

    unprotect_audit_tables(op.get_bind())
