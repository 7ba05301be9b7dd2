"""SQLModel tables of hospital single sign-on (OpenID Connect).

``oidc_identity`` ties a person at the identity provider (issuer and ``sub``, which the
provider never reassigns; never the email, which can change hands) to one local account. It
grants access as a password does, so it is on the accounts chain and `audit verify` compares
it. ``oidc_pending`` is the working state of a sign-on in progress (state, PKCE verifier,
nonce), used once and gone within minutes, like a dashboard session: not on the chain. No
``from __future__ import annotations`` here: SQLModel reads the annotations at class creation.
"""

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .tables import _utc

__all__ = ["OidcIdentityRow", "OidcPendingRow"]


class OidcIdentityRow(SQLModel, table=True):
    """A provider's person (``issuer``, ``subject``) signing on as one account."""

    __tablename__ = "oidc_identity"
    __table_args__ = (UniqueConstraint("issuer", "subject", name="uq_oidc_identity_subject"),)

    id: int | None = Field(default=None, primary_key=True)
    issuer: str = Field(sa_column=Column(Text, nullable=False))
    subject: str = Field(max_length=255)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    created_at: datetime = _utc()


class OidcPendingRow(SQLModel, table=True):
    """A sign-on sent to the provider and not yet back: found by the digest of its ``state``
    (the browser holds the state itself in a cookie), used once."""

    __tablename__ = "oidc_pending"

    state_digest: str = Field(primary_key=True, max_length=64)
    code_verifier: str = Field(max_length=128)
    nonce: str = Field(max_length=128)
    next_path: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = _utc()
