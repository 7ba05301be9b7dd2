"""accounts baseline: the accounts chain's first event records the existing accounts

One ``accounts_baseline`` event by ``ildpath-migration`` records every ``user_account`` and
``api_token`` row as it stands (`persistence.account_baseline`), signed with the audit key, so
`audit verify` checks the account rows from then on. A database without accounts gets no
event (its chain starts with the first account added). No schema change.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 02:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from persistence.account_baseline import append_accounts_baseline

    config = op.get_context().config
    keyring = config.attributes.get("audit_keyring") if config else None
    append_accounts_baseline(op.get_bind(), keyring)


def downgrade() -> None:
    """The baseline event stays: the accounts chain is append-only (0014's downgrade drops
    the whole table)."""
