"""protected audit: audit tables only appended to (triggers; the application role's grants)

SQLite: triggers refuse UPDATE and DELETE of ``audit_event``, ``record_view``,
``account_event`` and ``installation``. PostgreSQL: a trigger function refuses UPDATE, DELETE
and TRUNCATE of them, and when the role ``ildpath_app`` exists it may only SELECT and INSERT
there (see `persistence.audit_protection`, docs/audit.md "Protected tables"). Run as the
database's owner.

The scheduler's job store table (``apscheduler_jobs``, APScheduler's own definition) is made
here too, so the scheduler started as the application's role finds it and runs no DDL; it is
kept on downgrade (the scheduler made it on start before this revision).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


SCHEDULER_JOBS = "apscheduler_jobs"


def _scheduler_jobs() -> sa.Table:
    """APScheduler 3's `SQLAlchemyJobStore` table, column for column."""
    return sa.Table(
        SCHEDULER_JOBS,
        sa.MetaData(),
        sa.Column("id", sa.Unicode(191), primary_key=True),
        sa.Column("next_run_time", sa.Float(25), index=True),
        sa.Column("job_state", sa.LargeBinary, nullable=False),
    )


def upgrade() -> None:
    from persistence.audit_protection import protect_audit_tables

    _scheduler_jobs().create(op.get_bind(), checkfirst=True)
    protect_audit_tables(op.get_bind())


def downgrade() -> None:
    from persistence.audit_protection import unprotect_audit_tables

    unprotect_audit_tables(op.get_bind())
