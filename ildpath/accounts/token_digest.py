"""The stored form of an API token: a keyed SHA-256 (HMAC), checked in microseconds.

A password needs a slow hash because people choose guessable ones; a token's secret is 256
random bits that nobody will ever guess, slow hash or not. Argon2 on every call only made a
forged token with a real id cost the server ~170 ms of work (an attacker's amplifier), so a
token is kept as HMAC-SHA-256 under a key derived from the audit key: whoever reads the
database alone cannot even test a candidate token. Stored as ``hmac-sha256$<key id>$<hex>``,
naming the audit key it was derived from, so a rotated audit key leaves old tokens working
(the key file keeps the old keys) and new ones use the current key.

Tokens issued before were stored as argon2 hashes; `is_keyed` tells them apart, and the
caller re-hashes one on its first successful check.
"""

import hmac

from persistence.audit_key import AuditKeyError, AuditKeyring

__all__ = ["SCHEME", "is_keyed", "keyed_digest", "keyed_matches"]

SCHEME = "hmac-sha256"
_PURPOSE = b"ildpath api token digest v1"
"""Derives the token key from an audit key: the same secret never signs two kinds of thing."""


def _token_key(keyring: AuditKeyring, key_id: str) -> bytes:
    return hmac.digest(keyring.secret(key_id), _PURPOSE, "sha256")


def _mac(keyring: AuditKeyring, key_id: str, token: str) -> str:
    return hmac.digest(_token_key(keyring, key_id), token.encode(), "sha256").hex()


def keyed_digest(keyring: AuditKeyring, token: str) -> str:
    """What to store for ``token``, under the audit keyring's current key."""
    return f"{SCHEME}${keyring.current}${_mac(keyring, keyring.current, token)}"


def is_keyed(stored: str) -> bool:
    """Whether ``stored`` is a keyed digest (else a token issued before: argon2)."""
    return stored.startswith(SCHEME + "$")


def keyed_matches(keyring: AuditKeyring, stored: str, token: str) -> bool:
    """Whether ``token`` is the one ``stored`` was made from, compared in constant time; False
    for a malformed digest or one under a key the key file no longer holds."""
    _, key_id, expected = [*stored.split("$"), "", ""][:3]
    try:
        actual = _mac(keyring, key_id, token)
    except AuditKeyError:
        return False
    return hmac.compare_digest(actual.encode(), expected.encode())
