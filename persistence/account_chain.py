"""The accounts chain: every change of a user account or API token, chained like a patient's
audit trail (one chain for the whole installation), so a role raised or a token issued behind
the application's back is found by `audit verify`."""

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from .types import UTCDateTime

__all__ = ["AccountEventRow"]


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
