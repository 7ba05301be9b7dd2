"""Only one scheduler process drives reminders at a time (APScheduler FAQ: job stores cannot
be shared). On PostgreSQL the leader holds an advisory lock on its own connection; the others
wait and take over when it stops or dies (the lock goes with its connection). On SQLite, an
exclusive lock on a file beside the database plays the same part on one machine."""

import fcntl
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

__all__ = ["LEADER_LOCK_KEY", "leadership"]

LEADER_LOCK_KEY = 0x1D_9A7B  # any constant shared by every ildpath scheduler

Stop = Callable[[], bool]


def _wait(poll_seconds: float, stop: Stop) -> None:
    deadline = time.monotonic() + poll_seconds
    while time.monotonic() < deadline and not stop():
        time.sleep(0.05)


@contextmanager
def _postgres(url: str, poll_seconds: float, stop: Stop) -> Iterator[bool]:
    engine = create_engine(url, poolclass=NullPool)
    connection = engine.connect()
    try:
        leader = False
        while not stop():
            query = text("SELECT pg_try_advisory_lock(:k)")
            leader = bool(connection.execute(query, {"k": LEADER_LOCK_KEY}).scalar_one())
            connection.commit()
            if leader:
                break
            _wait(poll_seconds, stop)
        yield leader
    finally:
        connection.close()
        engine.dispose()


@contextmanager
def _sqlite(url: str, poll_seconds: float, stop: Stop) -> Iterator[bool]:
    database = make_url(url).database or "ildpath.db"
    if database == ":memory:":
        yield True
        return
    with Path(f"{database}.scheduler.lock").open("a") as handle:
        leader = False
        while not stop():
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                leader = True
                break
            except BlockingIOError:
                _wait(poll_seconds, stop)
        try:
            yield leader
        finally:
            if leader:
                fcntl.flock(handle, fcntl.LOCK_UN)


def leadership(
    database_url: str, stop: Stop = lambda: False, poll_seconds: float = 2.0
) -> AbstractContextManager[bool]:
    """Wait until this process is the scheduler leader (True) or ``stop()`` says to give up
    (False); leadership ends with the block."""
    if database_url.startswith("postgresql"):
        return _postgres(database_url, poll_seconds, stop)
    return _sqlite(database_url, poll_seconds, stop)
