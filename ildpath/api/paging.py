"""Paging of the API's lists: ``limit`` (default 50, at most 500) and an opaque ``cursor``
from the previous page's ``next_cursor``. The cursor carries the position and a digest of
the query, so a cursor used with other filters is refused rather than giving a wrong page."""

import base64
import hashlib
import json
from collections.abc import Sequence

from fastapi import Query

from pathway.errors import InvalidValue

from ..usecases.cohort_query import MAX_LIMIT, PAGE_SIZE

__all__ = ["CURSOR", "LIMIT", "next_cursor", "offset_of"]

LIMIT = Query(default=PAGE_SIZE, ge=1, le=MAX_LIMIT, description="At most this many (≤ 500).")
CURSOR = Query(default=None, max_length=200, description="The previous page's next_cursor.")


def _digest(params: Sequence[tuple[str, str]]) -> str:
    material = "&".join(f"{k}={v}" for k, v in sorted(params) if k not in ("cursor", "limit"))
    return hashlib.sha256(material.encode()).hexdigest()[:12]


def next_cursor(offset: int | None, params: Sequence[tuple[str, str]]) -> str | None:
    """The cursor of the page after this one (None on the last page)."""
    if offset is None:
        return None
    raw = json.dumps({"o": offset, "q": _digest(params)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def offset_of(cursor: str | None, params: Sequence[tuple[str, str]]) -> int:
    """Where the page the cursor names begins (0 without one)."""
    if cursor is None:
        return 0
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        found = json.loads(base64.urlsafe_b64decode(padded))
        offset, digest = int(found["o"]), str(found["q"])
    except (ValueError, KeyError, TypeError):
        raise InvalidValue("cursor", cursor, "the next_cursor of a previous page") from None
    if offset < 0 or digest != _digest(params):
        raise InvalidValue("cursor", cursor, "the next_cursor of a previous page of the same query")
    return offset
