"""Import a FHIR Bundle: read each entry, then enter what the engine reads through the use
case a person would use, so alerts and tasks come out exactly as if the course had been typed
in.

The bundle's patients are enrolled first (bundle order), their phenotype read from their
Patient and the Conditions and Observations about them (``patients``); then each patient's
events are entered in clinical-date order, a day's PFT measures as one PFT (``plan``). Each
resource is keyed by the sending system, the patient and its own identity (``ledger``), so
importing the same resources again writes nothing, and two sites' ``Observation/pft-1`` are two
results. A result the sender later marks ``corrected`` or ``amended`` replaces the imported
entry (CLINICAL_SPEC §11 Corrections); ``entered-in-error`` takes it back.

A ``transaction`` is all or nothing for what the engine reads: an invalid entry, or one the
engine refuses, fails it whole (``TransactionRefused``) and nothing is written; entries the
engine does not read (other types, unknown codes, dates before the prior-history window) are
reported ``not_imported`` or ``unknown_code`` and never fail it. A ``batch``, ``collection``
or ``searchset`` is imported entry by entry.
"""

from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError

from pathway.validation import check_text
from persistence.errors import ConcurrencyConflict

from ..bootstrap import App
from ..usecases import Actor
from .bundle import parse_bundle
from .importer import Importer
from .report import ImportReport, TransactionRefused

__all__ = ["SOURCE_MAX_LENGTH", "import_bundle"]

_ATTEMPTS = 3
SOURCE_MAX_LENGTH = 200
"""The longest name of a sending system (a FHIR base URL fits)."""


def _transaction(app: App, parsed: Any, actor: Actor, source: str) -> ImportReport:
    """All or nothing, in one database transaction; retried whole when another import wrote
    the same resources meanwhile (they are then reported already imported)."""
    for attempt in range(_ATTEMPTS):
        report = ImportReport(parsed.type)
        try:
            with app.transaction() as session:
                importer = Importer(app.within(session), actor, parsed, source, report)
                importer.run(atomic=True)
                failing = report.failing()
                if failing:
                    raise TransactionRefused(report, failing)
            return report
        except (ConcurrencyConflict, IntegrityError):
            if attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def import_bundle(
    app: App,
    data: bytes | str | Mapping[str, Any],
    actor: Actor,
    *,
    source: str | None = None,
) -> ImportReport:
    """Import a transaction, batch, collection or searchset Bundle (FHIR R4, read as R4B).
    ``source`` names the sending system (else the bundle's ``meta.source``; unnamed when
    neither). Refuses the whole bundle (``InvalidValue`` naming the path) when its envelope
    is not a Bundle ildpath takes; a transaction an entry fails raises
    ``TransactionRefused``, nothing written; else reports each entry."""
    if source is not None:
        check_text("source", source, max_length=SOURCE_MAX_LENGTH)
    parsed = parse_bundle(data)
    origin = (source or parsed.source or "").strip()[:SOURCE_MAX_LENGTH]
    if parsed.type == "transaction":
        return _transaction(app, parsed, actor, origin)
    report = ImportReport(parsed.type)
    Importer(app, actor, parsed, origin, report).run(atomic=False)
    return report
