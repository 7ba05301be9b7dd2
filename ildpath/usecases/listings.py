"""Every request that shows several patients goes into the access log: one entry naming the
patients shown (`persistence.listing_views`).

The entry is written beside the listing, not through the records' one writer: like a single
view (`ildpath.usecases.views`), reading moves no patient's version and is no clinical event.
It is written before the listing is answered, so a listing nobody could log is not shown.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col, select

from persistence.errors import ConcurrencyConflict
from persistence.listing_views import append_listing
from persistence.tables import PatientRow

from ..bootstrap import App
from .chain_race import append_despite_races
from .work import Actor

__all__ = ["Listing", "log_listing"]

_CHUNK = 500
"""External ids resolved per query (well inside every database's limit of parameters)."""


@dataclass(frozen=True)
class Listing:
    """A listing as a person asked for it: who, through what (``api``, ``dashboard``,
    ``cli``, ``calendar``), which listing (``alerts``, ``tasks``, ``cohort report (csv)`` …)
    and how it was asked (the query, filters and page, as given)."""

    actor: Actor
    via: str
    what: str
    query: str = ""


def _patient_ids(session: Session, external_ids: list[str]) -> list[int]:
    found: list[int] = []
    for start in range(0, len(external_ids), _CHUNK):
        chunk = external_ids[start : start + _CHUNK]
        rows = session.exec(select(PatientRow.id).where(col(PatientRow.external_id).in_(chunk)))
        found += [int(row) for row in rows if row is not None]
    return found


def log_listing(app: App, listing: Listing, patients: Iterable[str]) -> None:
    """Log that ``listing.actor`` was shown ``patients`` (external ids; repeats count once):
    one entry, even when nobody was listed. Two requests logged at once both land: the loser
    of the race for the next place in the chain waits a moment and tries again."""
    shown = sorted(set(patients))

    def append() -> None:
        with app.transaction() as session:
            append_listing(
                session,
                _patient_ids(session, shown),
                actor=listing.actor.name,
                role=listing.actor.role,
                via=listing.via,
                what=listing.what,
                query=listing.query,
                viewed_at=app.clock.now(),
                keyring=app.sql.keyring,
            )

    append_despite_races(append, (ConcurrencyConflict, IntegrityError, OperationalError))
