"""The accounts chain's first event on a database that had accounts before it: one
``accounts_baseline`` event, by ``ildpath-migration``, recording every user and API token row
as it stands, so `audit verify` can tell from then on what changed behind the application's
back (what changed before the upgrade cannot be known, and is not claimed).

A database without accounts gets no event: its chain starts with the first account added.
"""

from datetime import UTC, datetime

from sqlalchemy import Connection, MetaData, Table, func, inspect, select

from .account_chain import ACCOUNT_TABLES, AccountEventRow, account_event_hash, account_line
from .audit_chain import GENESIS, canonical_json
from .audit_key import AuditKeyring, load_keyring

__all__ = ["BASELINE_ACTOR", "append_accounts_baseline"]

BASELINE_ACTOR = "ildpath-migration"


def append_accounts_baseline(
    connection: Connection, keyring: AuditKeyring | None = None, now: datetime | None = None
) -> bool:
    """Append the baseline event when there are account rows and no account event yet;
    whether one was appended."""
    metadata = MetaData()
    present = inspect(connection)
    tables = {
        name: Table(name, metadata, autoload_with=connection)
        for name in ACCOUNT_TABLES
        if present.has_table(name)  # at 0016 the tables of later migrations are not there yet
    }
    events = Table("account_event", metadata, autoload_with=connection)
    if connection.execute(select(func.count()).select_from(events)).scalar_one():
        return False
    lines: list[str] = []
    users = 0
    tokens = 0
    for name, table in tables.items():
        for row in connection.execute(select(table).order_by(table.c.id)).mappings():
            lines.append(account_line(name, dict(row)))
            users, tokens = (users + 1, tokens) if name == "user_account" else (users, tokens + 1)
    if not lines:
        return False
    keyring = keyring or load_keyring()
    event = AccountEventRow(
        seq=1,
        kind="accounts_baseline",
        actor=BASELINE_ACTOR,
        role="system",
        subject="*",
        payload=canonical_json({"users": users, "tokens": tokens}),
        record="\n".join(lines),
        recorded_at=now or datetime.now(UTC),
        key_id=keyring.current,
        prev_hash=GENESIS,
        hash="",
    )
    event.hash = account_event_hash(event, keyring)
    values = event.model_dump(exclude={"id"})
    connection.execute(events.insert().values(**values))
    return True
