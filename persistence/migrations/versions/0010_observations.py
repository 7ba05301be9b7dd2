"""more observations; CMV in copies/mL and below a limit (CLINICAL_SPEC revision 2, §11, §8)

The observation table gains a column for each new value: the laboratory analytes (``ferritin``
ng/mL, ``ck`` U/L, ``kl6`` U/mL, ``crp`` mg/L; one analyte a row), the resting ``spo2`` (%),
the six-minute walk (``metres``, ``nadir_spo2``), and for CMV DNA ``copies_per_ml`` (never
converted to IU/mL) and the ``comparator`` of a result reported beyond a limit (``<`` 35
IU/mL). Every stored row keeps its values: a CMV result stored before is in IU/mL, as reported.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NUMBERS = ("ferritin", "ck", "kl6", "crp", "spo2", "metres", "nadir_spo2", "copies_per_ml")

_UNREPRESENTABLE = (
    "SELECT count(*) FROM observation WHERE kind IN ('lab', 'spo2', 'six_minute_walk') "
    "OR copies_per_ml IS NOT NULL OR comparator IS NOT NULL"
)
"""Rows revision 0009 cannot hold: there a CMV row without IU/mL reads as 0 IU/mL (not
detected), and ``< 35`` would read as 35 IU/mL detected."""


def upgrade() -> None:
    with op.batch_alter_table("observation", schema=None) as batch_op:
        for name in _NUMBERS:
            batch_op.add_column(sa.Column(name, sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column("comparator", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True)
        )


def downgrade() -> None:
    """Refused while any row holds what revision 0009 would misread (a CMV load in copies/mL
    would read as not detected): nothing is dropped. Enter those entries in error or export
    them first; a database without them goes back as it was."""
    count = op.get_bind().execute(sa.text(_UNREPRESENTABLE)).scalar_one()
    if count:
        raise RuntimeError(
            f"downgrade below 0010 refused: {count} observation(s) are laboratory results, "
            "SpO2, six-minute walks, CMV loads in copies/mL or reported with a comparator, "
            "which revision 0009 cannot hold (a CMV load in copies/mL would read as not "
            "detected); nothing was changed"
        )
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.drop_column("comparator")
        for name in reversed(_NUMBERS):
            batch_op.drop_column(name)
