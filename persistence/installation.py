"""The installation's identity: a random id kept in the database, made on first use.

Checkpoints of the audit chains name the database they anchor by it (two databases may share
one checkpoint file), and reminders use it to make their keys unique across installations.
"""

import secrets
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, insert, select
from sqlmodel import Field, SQLModel

from .tables import _utc

__all__ = ["InstallationRow", "installation_id"]


class InstallationRow(SQLModel, table=True):
    """The one row naming this installation (``id`` 1); never changed once made."""

    __tablename__ = "installation"

    id: int = Field(default=1, primary_key=True)
    installation_id: str = Field(max_length=32)
    created_at: datetime = _utc()


_TABLE = InstallationRow.__table__  # type: ignore[attr-defined]


def installation_id(bind: Engine | Connection, *, create: bool = True) -> str | None:
    """This database's installation id; made (once, whoever is first) when there is none yet
    and ``create``."""
    if isinstance(bind, Engine):
        with bind.begin() as connection:
            return installation_id(connection, create=create)
    found: str | None = bind.execute(
        select(_TABLE.c.installation_id).where(_TABLE.c.id == 1)
    ).scalar()
    if found is not None or not create:
        return found
    made = secrets.token_hex(8)
    try:
        with bind.begin_nested():
            bind.execute(
                insert(_TABLE).values(id=1, installation_id=made, created_at=datetime.now(UTC))
            )
    except Exception:  # another process made it first: theirs stands
        made = bind.execute(select(_TABLE.c.installation_id).where(_TABLE.c.id == 1)).scalar_one()
    return made
