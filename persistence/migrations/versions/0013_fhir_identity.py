"""fhir identity: imported resources keyed by source and patient; the EHR's patient identifiers

The ledger's identity becomes [source, patient, identity] (``keyed_identity``), so two sites'
or two patients' ``Observation/pft-1`` are two resources. Rows imported before keep their
meaning: their source is unnamed (``""``) and their patient the one they were imported for, so
re-importing an old bundle still writes nothing. The new ``patient_identifier`` table keeps the
identifiers (MRN …) a sending system gives its patients, for the export.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 13:00:00
"""

import hashlib
import json
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _rekey(keyed: bool) -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "select f.id, f.identity, p.external_id from fhir_import f "
            "join patient p on p.id = f.patient_id"
        )
    ).all()
    for row_id, identity, patient in rows:
        if keyed:
            new = json.dumps(["", patient, identity], ensure_ascii=False, separators=(",", ":"))
        else:
            new = json.loads(identity)[2]
        connection.execute(
            sa.text("update fhir_import set identity = :i, identity_hash = :h where id = :id"),
            {"i": new, "h": hashlib.sha256(new.encode("utf-8")).hexdigest(), "id": row_id},
        )


def upgrade() -> None:
    op.create_table(
        "patient_identifier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("system", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("type_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("source", sa.Text(), server_default="", nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("system", "value", name="uq_patient_identifier"),
    )
    op.create_index(op.f("ix_patient_identifier_patient_id"), "patient_identifier", ["patient_id"])
    _rekey(True)


def downgrade() -> None:
    _rekey(False)
    op.drop_index(op.f("ix_patient_identifier_patient_id"), table_name="patient_identifier")
    op.drop_table("patient_identifier")
