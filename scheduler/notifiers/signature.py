"""The webhook signature: how a receiver knows a POST comes from this clinic's ildpath.

Scheme (the same idea as Stripe's and Slack's signatures)::

    X-Ildpath-Timestamp: <unix seconds, when the request was signed>
    X-Ildpath-Signature: sha256=<hex HMAC-SHA256(secret, f"{timestamp}.".encode() + body)>

``body`` is the exact bytes of the request body. The timestamp is signed with the body so a
captured request cannot be replayed later with a fresh timestamp: receivers should reject a
timestamp older than a few minutes (``max_age``) and drop duplicates by ``Idempotency-Key``.
"""

import hashlib
import hmac
import time

__all__ = ["sign", "verify_signature"]

PREFIX = "sha256="


def sign(secret: bytes, timestamp: int | str, body: bytes) -> str:
    """The ``X-Ildpath-Signature`` header value for this timestamp and body."""
    digest = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return PREFIX + digest


def verify_signature(
    secret: bytes,
    timestamp: int | str,
    body: bytes,
    header: str,
    *,
    max_age: float | None = None,
    now: float | None = None,
) -> bool:
    """True if ``header`` signs ``timestamp`` and ``body`` with ``secret`` (compared in
    constant time) and, when ``max_age`` is given, the timestamp is at most that many seconds
    old (or ahead)."""
    if not hmac.compare_digest(sign(secret, timestamp, body).encode(), header.encode()):
        return False
    if max_age is None:
        return True
    try:
        age = (time.time() if now is None else now) - int(timestamp)
    except ValueError:
        return False
    return abs(age) <= max_age
