"""Faster commits while the demo fills a SQLite database.

The demo writes tens of thousands of small transactions. On SQLite in WAL mode,
``synchronous=NORMAL`` skips the disk flush at each commit: the database stays consistent,
and at worst the last transactions before a power cut are lost, which for a synthetic demo
only means running it again. Other databases are left as they are.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event

__all__ = ["fast_commits"]


def _normal_sync(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@contextmanager
def fast_commits(engine: Engine) -> Iterator[None]:
    """``synchronous=NORMAL`` on the engine's SQLite connections while the block runs."""
    if engine.dialect.name != "sqlite":
        yield
        return
    event.listen(engine, "connect", _normal_sync)
    engine.dispose()  # pooled connections were opened without it
    try:
        yield
    finally:
        event.remove(engine, "connect", _normal_sync)
        engine.dispose()
