"""patient ids unique whatever the case: ``demo-0001`` cannot be enrolled beside ``DEMO-0001``

The patient table gains ``external_id_folded``, the id as ids are compared (Unicode NFC, case
folded: `pathway.patient_identifier.folded_id`), filled in for every patient and unique, so
the database refuses a look-alike enrolment even when two arrive at once.

A database that already holds ids differing only in case (``DEMO-0001`` and ``demo-0001``)
cannot take the unique index: the migration then stops before changing anything, naming each
such group, so that a person decides which patient keeps the id and renames the other
(docs/patient-ids.md); the application starts again once none is left. The audit lines
are unchanged: the column is derived from ``external_id``, which they hold.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08 10:00:00
"""

import unicodedata
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from persistence.errors import MigrationRefused

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1000


def _folded(external_id: str) -> str:
    """As `pathway.patient_identifier.folded_id` at this revision (kept here, so the
    migration does what it did whatever that function becomes)."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", external_id).casefold())


def _clashes(rows: Sequence[tuple[int, str]]) -> list[list[str]]:
    """The groups of ids that differ only in case (or Unicode normalisation)."""
    groups: dict[str, list[str]] = defaultdict(list)
    for _, external_id in rows:
        groups[_folded(external_id)].append(external_id)
    return [sorted(ids) for ids in groups.values() if len(ids) > 1]


def upgrade() -> None:
    connection = op.get_bind()
    rows = [
        (int(row_id), str(external_id))
        for row_id, external_id in connection.execute(
            sa.text("SELECT id, external_id FROM patient ORDER BY id")
        )
    ]
    clashes = _clashes(rows)
    if clashes:
        named = "; ".join(" and ".join(repr(i) for i in ids) for ids in clashes)
        raise MigrationRefused(
            f"schema revision 0021 (patient ids unique whatever the case) refused, nothing "
            f"was changed: {len(clashes)} group(s) of patient ids differ only in case: "
            f"{named}. On the board and in reminders each group reads as one patient: a "
            "person must decide, for each, which patient keeps the id and rename the other "
            "(docs/patient-ids.md, 'Ids that differ only in case'), then start again"
        )
    op.add_column(  # in place, on SQLite too: a NOT NULL column with a default
        "patient",
        sa.Column(
            "external_id_folded",
            sqlmodel.sql.sqltypes.AutoString(length=256),
            nullable=False,
            server_default="",
        ),
    )
    update = sa.text("UPDATE patient SET external_id_folded = :folded WHERE id = :id")
    for start in range(0, len(rows), _BATCH):
        batch = rows[start : start + _BATCH]
        connection.execute(update, [{"id": i, "folded": _folded(e)} for i, e in batch])
    op.create_index("ix_patient_external_id_folded", "patient", ["external_id_folded"], unique=True)


def downgrade() -> None:
    """The index, then the column, each dropped in place: SQLite (3.35 on) drops a column
    without copying the table, which other tables' foreign keys name (a batch copy would
    drop the patient table under them)."""
    op.drop_index("ix_patient_external_id_folded", table_name="patient")
    op.execute("ALTER TABLE patient DROP COLUMN external_id_folded")
