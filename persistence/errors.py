"""Errors of the store, translated once at each edge like the domain's."""

__all__ = ["ConcurrencyConflict", "MigrationRefused", "SchemaNeedsOwner", "StaleWrite"]


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


class SchemaNeedsOwner(Exception):
    """The schema is not at the newest revision and this connection may not change it.

    The application connects as a role that may not run DDL (PostgreSQL ``ildpath_app``, so
    it cannot take the protection of the audit tables off); the owner migrates the schema.
    """

    def __init__(self, current: str | None, head: str) -> None:
        self.current, self.head = current, head
        at = f"revision {current}" if current else "an empty database"
        super().__init__(
            f"schema: the database is at {at}, not {head}, and this connection may not "
            "change the schema; run `ildpath init` (or the migrations) once as the database's "
            "owner, then start the application again with its own role"
        )


class MigrationRefused(Exception):
    """A migration found data it cannot carry over as it stands, and changed nothing: the
    message names the rows and what a person must do first (e.g. revision 0021 and two
    patients whose ids differ only in case)."""
