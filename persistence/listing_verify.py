"""Checking the listing log link by link: each entry in its place, following the one before,
and its hash matching the entry and the patients stored for it (`persistence.listing_views`).

The entries and their patient rows are read in two ordered passes and walked side by side, so
a log grown large by calendar polling is checked without holding it in memory.
"""

from collections.abc import Iterator

from sqlalchemy import func
from sqlmodel import Session, col, select

from .audit_chain import GENESIS
from .audit_findings import Finding
from .audit_key import AuditKeyError, AuditKeyring
from .listing_views import ListingPatientRow, ListingViewRow, listing_hash

__all__ = ["count_listings", "verify_listing_chain"]

CHAIN = "listings"
TABLE = ListingViewRow.__tablename__
_BATCH = 1000


def _patients_by_listing(session: Session) -> Iterator[tuple[int, int]]:
    yield from session.exec(
        select(ListingPatientRow.listing_id, ListingPatientRow.patient_id)
        .order_by(col(ListingPatientRow.listing_id), col(ListingPatientRow.patient_id))
        .execution_options(yield_per=_BATCH)
    )


def _signed(row: ListingViewRow, patients: list[int], keyring: AuditKeyring) -> Finding | None:
    where = {"table": TABLE, "row_id": row.id, "seq": row.seq}
    try:
        if listing_hash(row, patients, keyring) == row.hash:
            return None
    except AuditKeyError:
        return Finding(CHAIN, f"audit key {row.key_id!r} is not in the key file", **where)  # type: ignore[arg-type]
    return Finding(
        CHAIN,
        f"{row.what} seen by {row.actor}: the entry or its patients do not match its hash "
        "(altered)",
        **where,  # type: ignore[arg-type]
    )


def verify_listing_chain(session: Session, keyring: AuditKeyring) -> Iterator[Finding]:
    """Every break of the listing log: an entry missing, out of its place, or altered (its
    patient rows included)."""
    shown = _patients_by_listing(session)
    pending = next(shown, None)
    previous, expected = GENESIS, 1
    entries = session.exec(
        select(ListingViewRow)
        .order_by(col(ListingViewRow.id))  # as written: the seq check finds any reordering
        .execution_options(yield_per=_BATCH)
    )
    for row in entries:
        patients: list[int] = []
        while pending is not None and pending[0] < (row.id or 0):
            pending = next(shown, None)  # rows of no entry: the entry's own check fails
        while pending is not None and pending[0] == row.id:
            patients.append(pending[1])
            pending = next(shown, None)
        if row.seq != expected:
            yield Finding(
                CHAIN, f"entry {expected} is missing (deleted)", table=TABLE, seq=expected
            )
        elif row.prev_hash != previous:
            yield Finding(
                CHAIN, "entry does not follow the previous entry", table=TABLE, seq=row.seq
            )
        found = _signed(row, patients, keyring)
        if found is not None:
            yield found
        previous, expected = row.hash, row.seq + 1


def count_listings(session: Session) -> int:
    """Entries in the listing log."""
    return int(session.exec(select(func.count()).select_from(ListingViewRow)).one())
