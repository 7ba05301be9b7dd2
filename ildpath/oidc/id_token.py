"""The checks an ID token must pass before anyone is signed in with it (OpenID Connect Core
3.1.3.7): signed by one of the provider's keys with an asymmetric algorithm (never ``none``,
never a shared-secret HMAC a client could forge), issued by the configured issuer, for this
client, not expired, and carrying the nonce this sign-on sent, so a token captured from
another sign-on cannot be replayed here.

The token came straight from the provider's token endpoint over the back channel, but it is
checked all the same: the signature is what ties its claims to the provider.
"""

from collections.abc import Mapping
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

__all__ = ["ALGORITHMS", "IdTokenRefused", "check_id_token"]

ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
"""Signatures by the provider's private key only."""

LEEWAY_SECONDS = 60
"""Clock difference tolerated between the provider and this server."""


class IdTokenRefused(Exception):
    """The ID token fails a check; the message says which (logged, never shown in full)."""


def check_id_token(
    token: str,
    *,
    keys: Mapping[str, Any],
    issuer: str,
    client_id: str,
    nonce: str,
    now: int,
) -> dict[str, Any]:
    """The token's claims, when it passes every check; `IdTokenRefused` naming the first it
    fails. ``keys`` is the provider's JWKS document; ``now`` the current Unix time."""
    try:
        key_set = KeySet.import_key_set(dict(keys))  # type: ignore[arg-type]
        decoded = jwt.decode(token, key_set, algorithms=list(ALGORITHMS))
    except (JoseError, ValueError) as error:
        raise IdTokenRefused(f"signature: {error}") from None
    claims = dict(decoded.claims)
    registry = jwt.JWTClaimsRegistry(
        now=now,
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except JoseError as error:
        raise IdTokenRefused(f"claims: {error}") from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise IdTokenRefused("claims: several audiences and azp is not this client")
    if not isinstance(claims["sub"], str) or not claims["sub"]:
        raise IdTokenRefused("claims: sub is not a non-empty text")
    return claims
