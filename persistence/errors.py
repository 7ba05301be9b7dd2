"""Errors of the store, translated once at each edge like the domain's."""

__all__ = ["ConcurrencyConflict"]


class ConcurrencyConflict(Exception):
    """Someone else changed the patient since it was read: reload and try again.

    Raised instead of overwriting (optimistic concurrency on the patient's version).
    """
