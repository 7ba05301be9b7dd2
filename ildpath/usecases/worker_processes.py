"""Bulk work cut into independent pieces, done in several processes side by side.

Judging a patient is pure Python, so one process uses one core however many the machine has;
the reading and writing around it are a small part of the time, judging and building records
most of it. Threads would share one interpreter lock, so each worker is a process with its
own connection; the database keeps the pieces
apart (each piece is its own transaction, version-checked like any writer's).

Workers are started with ``spawn``, never ``fork``: the scheduler runs in a thread of the
dashboard's process, and forking a threaded process can copy a lock another thread holds.
"""

import gc
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import chain, islice
from typing import TypeVar

from pathway import PathwayDefinition
from persistence.audit_key import load_keyring
from persistence.database import make_engine
from persistence.sql_store import SqlStore

from ..bootstrap import App
from ..clock import Clock
from ..settings import Settings

__all__ = ["in_worker_processes"]

Piece = TypeVar("Piece")
Result = TypeVar("Result")

_WORKER_APP: App | None = None
"""The application of a worker process: its own engine, the parent's clock and definition."""


def in_worker_processes(
    app: App,
    work: Callable[[App, Piece], Result],
    pieces: Iterable[Piece],
    workers: int,
    *,
    least: int = 2,
) -> Iterator[Result]:
    """``work(app, piece)`` for each piece, in ``workers`` processes (in this one when
    ``workers`` is 1, or fewer than ``least`` pieces come: starting workers costs more than
    a few pieces), yielding each piece's result in the pieces' order. ``work`` must be a
    module-level function (it is sent by name).

    At most two pieces per worker are in flight, so the pieces are read as they are needed
    (the cohort is streamed, never listed). A failing piece stops the rest: pieces not yet
    started are cancelled and its error is raised here."""
    pieces = iter(pieces)
    first = list(islice(pieces, max(least, 2)))
    if workers <= 1 or len(first) < max(least, 2) or not app.store.shareable:
        for piece in chain(first, pieces):
            yield work(app, piece)
        return
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(app.settings, app.clock, app.definition),
    )
    pending: deque[Future[Result]] = deque()
    try:
        for piece in chain(first, pieces):
            pending.append(pool.submit(_work_in_worker, work, piece))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _start_worker(settings: Settings, clock: Clock, definition: PathwayDefinition) -> None:
    """Build the worker's application, then set its heap aside from the collector's full
    passes for the worker's life (`heap.heap_set_aside`, for the same reason): a worker only
    ever does bulk work."""
    global _WORKER_APP
    _WORKER_APP = App(
        SqlStore(make_engine(settings.database_url), keyring=load_keyring(settings.audit_key_file)),
        clock,
        definition,
        settings,
    )
    gc.freeze()


def _work_in_worker(work: Callable[[App, Piece], Result], piece: Piece) -> Result:
    assert _WORKER_APP is not None, "the worker was started without its application"
    return work(_WORKER_APP, piece)
