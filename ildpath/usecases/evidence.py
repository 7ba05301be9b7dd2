"""Evidence as a person reads it: each observation cited once, by its date and values
(``2026-03-02 PFT: FVC 68% DLCO 51% predicted``), not by its record id.

The ids stay in the data (``evidence``: what the audit trail and the API cite); this is the
``evidence_shown`` beside them on every screen and report."""

from collections.abc import Iterable

from .summary import PatientSummary
from .timeline import describe_observation

__all__ = ["shown_evidence"]


def shown_evidence(summary: PatientSummary, ids: Iterable[str]) -> list[str]:
    """Each cited entry once, oldest first; an id this record does not hold is kept as it is
    (a retracted or foreign entry is still named, never dropped)."""
    rows = {f"obs{row.id}": row for row in summary.observations}
    known = [rows[ref] for ref in dict.fromkeys(ids) if ref in rows]
    unknown = [ref for ref in dict.fromkeys(ids) if ref not in rows]
    known.sort(key=lambda row: (row.clinical_on, row.id or 0))
    return [f"{row.clinical_on.isoformat()} {describe_observation(row)}" for row in known] + unknown
