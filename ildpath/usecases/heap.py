"""Bulk work (the daily run, the bulk import) with the heap that was there before it left out
of the cyclic garbage collector's full passes."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused", "heap_set_aside", "set_aside_too"]

_blocks = 0
"""Blocks of `heap_set_aside` open now that froze the heap (theirs to hand it back)."""


@contextmanager
def heap_set_aside() -> Iterator[None]:
    """The heap that was there before left out of the cyclic collector's work (`gc.freeze`)
    while the block runs, then handed back (`gc.unfreeze`).

    Bulk work makes hundreds of thousands of short-lived record, plan and row values; their
    promotion to the oldest generation sets off full collections, each rescanning the whole
    application (modules, mappers, the pathway definition), which never becomes garbage: a
    large share of bulk work's time would go on it. What the block itself leaves behind is
    still collected. Nothing is done when the collector is off or someone else froze the
    heap (theirs to undo), so blocks nest."""
    global _blocks
    if not gc.isenabled() or gc.get_freeze_count():
        yield
        return
    gc.freeze()
    _blocks += 1
    try:
        yield
    finally:
        _blocks -= 1
        gc.unfreeze()


def set_aside_too() -> None:
    """Set aside, with the heap the open block set aside, what bulk work made since and keeps
    to the block's end (the bulk import's decided histories held for writing): the collector
    would otherwise rescan them again and again. Nothing outside such a block."""
    if _blocks:
        gc.freeze()


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection while the block runs (reference counting still frees what it
    drops): a bulk writer lays out a batch's rows and audit events, hundreds of thousands of
    objects that live to the batch's commit, and the collector would only scan them again and
    again. What the block leaves behind is collected once it ends."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
