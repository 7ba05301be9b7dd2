"""Slow, salted hashes of what people and scripts present: passwords and API tokens.

Argon2id (argon2-cffi's defaults) so a stolen database does not yield working credentials.
Verifying never raises: the caller only needs yes or no, and a malformed stored hash must not
turn into an error page that tells an attacker more than a wrong password would.
"""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = ["hash_secret", "spend_verify", "verify_secret"]

_hasher = PasswordHasher()


def hash_secret(secret: str) -> str:
    """The argon2id hash of ``secret``, salted, in the self-describing PHC string format."""
    return _hasher.hash(secret)


def verify_secret(hashed: str, secret: str) -> bool:
    """Whether ``secret`` matches ``hashed``; False on a mismatch, an unreadable hash, or a
    secret that is no text (an unpaired surrogate sent in JSON cannot be encoded)."""
    try:
        return _hasher.verify(hashed, secret)
    except (VerificationError, InvalidHashError, UnicodeEncodeError):
        return False


@cache
def _decoy() -> str:
    return hash_secret("decoy: no account has this password")


def spend_verify(secret: str) -> None:
    """Spend one verification on nothing, so an unknown name costs as long as a wrong password
    (no timing oracle telling which usernames exist)."""
    verify_secret(_decoy(), secret)
