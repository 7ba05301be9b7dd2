"""The import report: what became of every resource of the bundle, and why.

One line per entry, in bundle order: ``created`` (with the rows written), ``corrected`` (a
result the sender corrected or marked entered in error: the imported entry replaced or taken
back, CLINICAL_SPEC §11), ``already_imported``
(nothing written), ``unknown_code`` (a code or unit the engine does not read: listed, never
guessed), ``invalid`` (the engine refused a value, or the resource lacks what it needs) or
``not_imported`` (a type or status the engine does not enter, or a patient not importable).
"""

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["STATUSES", "ImportReport", "Outcome", "TransactionRefused"]

STATUSES = (
    "created",
    "corrected",
    "already_imported",
    "unknown_code",
    "invalid",
    "not_imported",
)
_WORST_FIRST = (
    "invalid",
    "unknown_code",
    "not_imported",
    "corrected",
    "created",
    "already_imported",
)


@dataclass
class Outcome:
    """What became of one entry: its status, why, for which patient, which rows it wrote."""

    index: int
    resource: str
    status: str
    reason: str = ""
    patient: str | None = None
    created: list[str] = field(default_factory=list)

    def merge(self, status: str, reason: str, created: list[str], patient: str | None) -> None:
        """A resource of several parts (a medication's start and stop) reports its worst
        part's status, every reason and every row written."""
        if _WORST_FIRST.index(status) < _WORST_FIRST.index(self.status):
            self.status = status
        self.reason = "; ".join(r for r in (self.reason, reason) if r)
        self.created += created
        self.patient = self.patient or patient


@dataclass
class ImportReport:
    bundle_type: str
    outcomes: dict[int, Outcome] = field(default_factory=dict)

    def settle(
        self,
        index: int,
        resource: str,
        status: str,
        reason: str = "",
        *,
        created: list[str] | None = None,
        patient: str | None = None,
    ) -> None:
        found = self.outcomes.get(index)
        if found is None:
            self.outcomes[index] = Outcome(index, resource, status, reason, patient, created or [])
        else:
            found.merge(status, reason, created or [], patient)

    def lines(self) -> list[Outcome]:
        return [self.outcomes[i] for i in sorted(self.outcomes)]

    def failing(self) -> list[Outcome]:
        """The entries that fail a transaction: those invalid."""
        return [o for o in self.lines() if o.status == "invalid"]

    def imported_any(self) -> bool:
        """Whether anything of the bundle is in ildpath now (written now or before)."""
        return any(o.status in ("created", "corrected", "already_imported") for o in self.lines())

    def counts(self) -> dict[str, int]:
        lines = self.lines()
        return {status: sum(1 for o in lines if o.status == status) for status in STATUSES}

    def as_data(self) -> dict[str, Any]:
        """The report as plain JSON (the API's answer and ``--json``)."""
        return {
            "bundle_type": self.bundle_type,
            "fhir_version": "4.3.0 (R4B; wire-compatible with R4 for these resources)",
            "counts": self.counts(),
            "resources": [asdict(o) for o in self.lines()],
        }


class TransactionRefused(Exception):
    """A ``transaction`` Bundle failed whole (FHIR: all or nothing): an entry the engine reads
    was invalid or refused, so nothing was written. ``report`` says what became of every entry;
    ``failing`` are the entries that failed it."""

    def __init__(self, report: ImportReport, failing: list[Outcome]) -> None:
        reasons = "; ".join(f"{o.resource}: {o.reason}" for o in failing)
        super().__init__(f"transaction refused, nothing written: {reasons}")
        self.report, self.failing = report, failing
