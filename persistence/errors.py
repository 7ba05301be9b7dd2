"""Errors of the store, translated once at each edge like the domain's."""

__all__ = ["ConcurrencyConflict", "StaleWrite"]


class ConcurrencyConflict(Exception):
    """Someone else changed the patient since it was read: reload and try again.

    Raised instead of overwriting (optimistic concurrency on the patient's version).
    """


class StaleWrite(ConcurrencyConflict):
    """The writer saw an older version of the patient than the one stored (If-Match)."""

    def __init__(self, expected: int, current: int) -> None:
        self.expected, self.current = expected, current
        super().__init__(
            f"version: the patient is at version {current}, not {expected} as read; "
            "someone changed it meanwhile: reload and retry"
        )
