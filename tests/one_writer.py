"""The one writer, enforced: while the test suite runs, every statement that writes a
clinical table must come from the writer's SQL tables (`persistence.sql_tables`, reached
only through `persistence.writer`) or from a migration. Anything else fails the test that
made it (`WriteOutsideTheWriter`), so a second write path cannot creep back in.

A test that plays an intruder (tampering with the audit trail, or another writer moving a
version under a transaction) says so with ``@pytest.mark.writes_outside_the_writer``.
"""

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from persistence.tables import CLINICAL_TABLES

_CLINICAL = frozenset(CLINICAL_TABLES)
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
_ROOT = Path(__file__).resolve().parents[1]
_WRITER = str(_ROOT / "persistence" / "sql_tables.py")
_MIGRATIONS = str(_ROOT / "persistence" / "migrations")


class WriteOutsideTheWriter(AssertionError):
    """A clinical table was written by code other than the one writer."""


def written_table(statement: str) -> str | None:
    """The clinical table a statement writes, if it writes one."""
    found = _WRITE.match(statement)
    if found is None or found.group(1).lower() not in _CLINICAL:
        return None
    return found.group(1).lower()


def _callers() -> Iterator[str]:
    frame = sys._getframe(2)
    while frame is not None:
        yield frame.f_code.co_filename
        frame = frame.f_back  # type: ignore[assignment]


_allowed: list[bool] = [False]


def _check(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
    table = written_table(statement)
    if table is None or _allowed[0]:
        return
    for filename in _callers():
        if filename == _WRITER or filename.startswith(_MIGRATIONS):
            return
    raise WriteOutsideTheWriter(
        f"{table} written outside the one writer (persistence.writer): {statement[:80]!r}"
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "writes_outside_the_writer: the test plays an intruder who writes clinical tables "
        "directly (tampering, a concurrent writer)",
    )
    event.listen(Engine, "before_cursor_execute", _check)


@pytest.fixture(autouse=True)
def _intruder_allowed(request: pytest.FixtureRequest) -> Iterator[None]:
    _allowed[0] = request.node.get_closest_marker("writes_outside_the_writer") is not None
    try:
        yield
    finally:
        _allowed[0] = False
