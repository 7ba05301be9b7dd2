"""The accounts chain: every change of a user account, API token or calendar feed, chained
like a patient's audit trail (one chain for the whole installation), so a role raised or a
token issued behind the application's back is found by `audit verify`.

Each event carries the account rows it wrote (`persistence.audit_record` lines), so the
verifier rebuilds ``user_account``, ``api_token`` and ``calendar_feed`` from the chain and
compares them column by column. A password or token hash (a feed's secret digest too) is
recorded as the SHA-256 of the stored hash: a change is detected, and the chain holds
nothing a guesser could attack. Volatile columns (a token's ``last_used_at``, a feed's
``last_read_at``) and dashboard sessions are not part of the record.

Concurrency: the unique ``seq`` refuses the second of two writers that read the same head;
the caller (`ildpath.accounts.chained`) retries its whole transaction, so the chain never
forks. No ``SELECT ... FOR UPDATE``: the table is insert-only for the application's role on
PostgreSQL.
"""

import hashlib
import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Text, func
from sqlmodel import Field, Session, SQLModel, col, select

from .account_tables import ApiTokenRow, CalendarFeedRow, UserRow
from .audit_chain import GENESIS, canonical_json, instant_text, link_hash
from .audit_findings import Finding
from .audit_key import AuditKeyError, AuditKeyring
from .audit_record import checked_columns, insert_line, plain_row, update_line
from .sign_on_tables import OidcIdentityRow
from .types import UTCDateTime

__all__ = [
    "ACCOUNT_TABLES",
    "AccountEventRow",
    "account_chain_head",
    "account_event_hash",
    "account_line",
    "account_update_line",
    "append_account_event",
    "count_account_events",
    "verify_account_chain",
]

ACCOUNT_TABLES = (
    UserRow.__tablename__,
    ApiTokenRow.__tablename__,
    CalendarFeedRow.__tablename__,
    OidcIdentityRow.__tablename__,
)
"""The tables the accounts chain carries: who may sign in, and every grant of access (API
tokens, calendar feeds, identities at the hospital's OpenID Connect provider). Web sessions
are not: they come and go. Named through their models, so the tables are known wherever the
chain is verified."""

VOLATILE: dict[str, frozenset[str]] = {
    "api_token": frozenset({"last_used_at"}),
    "calendar_feed": frozenset({"last_read_at"}),
}
"""Columns that change without an account change (a token's last use, a feed's last read:
each at most once a minute)."""

DIGESTED = frozenset({"password_hash", "token_hash", "token_digest"})
"""Secrets' hashes, recorded as their SHA-256 (a change shows; the hash itself is not kept)."""


class AccountEventRow(SQLModel, table=True):
    """One account or token change: who did it (``actor``, ``role``), to whom (``subject``),
    what (``kind``, ``payload``), the account rows it wrote (``record``), when."""

    __tablename__ = "account_event"

    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(unique=True)
    kind: str = Field(max_length=40)
    actor: str = Field(max_length=64)
    role: str = Field(max_length=32)
    subject: str = Field(max_length=64)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    record: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    recorded_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    key_id: str = Field(max_length=16)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


def _recorded(table: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """A row's values as the chain records them: secrets digested, volatile columns out."""
    skipped = VOLATILE.get(table, frozenset())
    values: dict[str, Any] = {}
    for name, value in row.items():
        if name in skipped:
            continue
        if name in DIGESTED and isinstance(value, str):
            value = hashlib.sha256(value.encode()).hexdigest()
        values[name] = value
    return values


def _values(row: Any) -> dict[str, Any]:
    if isinstance(row, Mapping):
        return dict(row)
    return {name: getattr(row, name) for name in type(row).model_fields}


def account_line(table: str, row: Any) -> str:
    """The record line of an account row written whole (a `UserRow`, an `ApiTokenRow`, or a
    mapping of its columns with ``id``)."""
    values = _values(row)
    return insert_line(table, int(values["id"]), _recorded(table, values))


def account_update_line(table: str, row_id: int, values: Mapping[str, Any]) -> str | None:
    """The record line of columns of an account row set later."""
    return update_line(table, row_id, _recorded(table, values))


def account_event_hash(row: AccountEventRow, keyring: AuditKeyring) -> str:
    """The keyed hash of one account event, under the key it names."""
    return link_hash(
        {
            "seq": row.seq,
            "kind": row.kind,
            "actor": row.actor,
            "role": row.role,
            "subject": row.subject,
            "payload": row.payload,
            "record": row.record,
            "recorded_at": instant_text(row.recorded_at),
            "key_id": row.key_id,
            "prev_hash": row.prev_hash,
        },
        keyring,
        row.key_id,
    )


def account_chain_head(session: Session) -> tuple[int, str]:
    """The last event's seq and hash; ``(0, "")`` for an empty chain (as a new patient's
    head). The first event follows `GENESIS`."""
    last = session.exec(
        select(AccountEventRow).order_by(col(AccountEventRow.seq).desc()).limit(1)
    ).first()
    return (last.seq, last.hash) if last is not None else (0, "")


def append_account_event(
    session: Session,
    keyring: AuditKeyring,
    *,
    kind: str,
    actor: str,
    role: str,
    subject: str,
    payload: Mapping[str, Any],
    rows: list[str],
    recorded_at: datetime,
) -> AccountEventRow:
    """Append one event after the chain's last, in the caller's transaction (the change and
    its event commit together). Two writers reading the same head both take the next seq:
    the unique key refuses one at flush or commit, and its caller retries."""
    seq, previous = account_chain_head(session)
    row = AccountEventRow(
        seq=seq + 1,
        kind=kind,
        actor=actor,
        role=role,
        subject=subject,
        payload=canonical_json(dict(payload)),
        record="\n".join(rows),
        recorded_at=recorded_at,
        key_id=keyring.current,
        prev_hash=previous or GENESIS,
        hash="",
    )
    row.hash = account_event_hash(row, keyring)
    session.add(row)
    session.flush()
    return row


def count_account_events(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(AccountEventRow)).one())


def _link_findings(events: list[AccountEventRow], keyring: AuditKeyring) -> Iterator[Finding]:
    previous = GENESIS
    expected = 1
    for event in events:
        if event.seq != expected:
            gap = "" if event.seq == expected + 1 else f" to {event.seq - 1}"
            yield Finding("accounts", f"missing (deleted){gap}", seq=expected)
        elif event.prev_hash != previous:
            yield Finding(
                "accounts", "broken link: does not follow the previous event", seq=event.seq
            )
        try:
            if account_event_hash(event, keyring) != event.hash:
                yield Finding(
                    "accounts",
                    f"bad signature: {event.kind} of {event.subject} by {event.actor} does not "
                    "match its hash (altered)",
                    seq=event.seq,
                )
        except AuditKeyError:
            yield Finding(
                "accounts",
                f"missing key: audit key {event.key_id!r} is not in the key file",
                seq=event.seq,
            )
        previous, expected = event.hash, event.seq + 1


def _rebuilt(events: list[AccountEventRow]) -> dict[tuple[str, int], dict[str, Any]]:
    """The account rows as the chain's lines write them, each with the seq that last did."""
    rows: dict[tuple[str, int], dict[str, Any]] = {}
    for event in events:
        for line in event.record.split("\n") if event.record else ():
            mark, table, row_id, values = json.loads(line)
            if table not in ACCOUNT_TABLES:
                continue
            if mark == "+":
                names = [name for name, _ in checked_columns(table)]
                rows[(table, row_id)] = dict(zip(names, values, strict=True))
            elif (table, row_id) in rows:
                rows[(table, row_id)].update(values)
            else:
                rows[(table, row_id)] = dict(values)
    return rows


def _table_rows(session: Session, table: str) -> dict[int, dict[str, Any]]:
    found = SQLModel.metadata.tables[table]
    result = session.connection().execute(found.select())
    return {int(row["id"]): dict(row) for row in result.mappings()}


def _spelt(table: str, row: Mapping[str, Any]) -> dict[str, Any]:
    names = [name for name, _ in checked_columns(table)]
    return dict(zip(names, plain_row(table, _recorded(table, row)), strict=True))


def _who(table: str, row: Mapping[str, Any], users: Mapping[int, Mapping[str, Any]]) -> str:
    if table == "user_account":
        return f"user {row.get('username')}"
    if table == "calendar_feed":
        return f"calendar feed ({row.get('scope')}) of user {row.get('username')}"
    if table == "oidc_identity":
        owner = users.get(int(row.get("user_id") or 0), {}).get("username", "?")
        return f"single sign-on identity {row.get('subject')!r} of user {owner}"
    owner = users.get(int(row.get("user_id") or 0), {}).get("username", "?")
    return f"token {row.get('name')!r} of user {owner}"


def _row_findings(
    session: Session, rebuilt: dict[tuple[str, int], dict[str, Any]]
) -> Iterator[Finding]:
    users = _table_rows(session, "user_account")
    for table in ACCOUNT_TABLES:
        stored = users if table == "user_account" else _table_rows(session, table)
        skipped = VOLATILE.get(table, frozenset())
        for row_id, row in sorted(stored.items()):
            expected = rebuilt.get((table, row_id))
            who = _who(table, row, users)
            if expected is None:
                yield Finding("accounts", f"{who}: row has no event", table=table, row_id=row_id)
                continue
            actual = _spelt(table, row)
            for name, value in actual.items():
                if name in skipped or expected.get(name) == value:
                    continue
                yield Finding(
                    "accounts",
                    f"{who}: row differs: {name} is {value!r} in the table, "
                    f"{expected.get(name)!r} in the chain",
                    table=table,
                    row_id=row_id,
                )
        for (kind, row_id), values in sorted(rebuilt.items()):
            if kind == table and row_id not in stored:
                who = _who(table, values, users)
                yield Finding("accounts", f"{who}: row missing", table=table, row_id=row_id)


def verify_account_chain(session: Session, keyring: AuditKeyring) -> Iterator[Finding]:
    """What does not hold in the accounts chain (a broken link, a bad signature, a missing
    key) and in the account rows rebuilt from it (a row that differs, is missing, or has no
    event), each naming the user or token."""
    events = list(session.exec(select(AccountEventRow).order_by(col(AccountEventRow.seq))).all())
    yield from _link_findings(events, keyring)
    yield from _row_findings(session, _rebuilt(events))
