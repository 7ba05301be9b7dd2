"""Appending to a chained access log while other requests append too.

Each entry takes the next place in its chain. Where the database cannot queue the writers
(SQLite's snapshot), two requests may race for the same place: the loser's transaction fails
and is run again after a short random wait, longer at each try, so simultaneous reads are all
logged and the chain never forks.
"""

import random
import time
from collections.abc import Callable

__all__ = ["ATTEMPTS", "append_despite_races"]

ATTEMPTS = 10


def append_despite_races(append: Callable[[], None], races: tuple[type[Exception], ...]) -> None:
    """Run ``append`` (one whole transaction) until it lands; one of ``races`` means another
    writer took the place first. After `ATTEMPTS` tries the last error stands."""
    for attempt in range(ATTEMPTS):
        try:
            append()
            return
        except races:
            if attempt == ATTEMPTS - 1:
                raise
            time.sleep(random.uniform(0.005, 0.05) * (attempt + 1))
