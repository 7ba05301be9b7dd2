"""Work the rules ask for again and again within one evaluation, done once."""

from collections.abc import Callable, Hashable
from typing import TypeVar

__all__ = ["remembered"]

T = TypeVar("T")


def remembered(cache: dict[Hashable, T], key: Hashable, work: Callable[[], T]) -> T:
    """``work()``, done the first time ``key`` is asked for and kept in ``cache``: a chart's
    judgements of a day, or of a set of entries in force, do not change within one
    evaluation, and the task ledgers ask for the same ones hundreds of times."""
    found = cache.get(key)
    if found is None:
        found = cache[key] = work()
    return found
