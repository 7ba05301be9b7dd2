"""What `audit verify` reports: one finding per thing that does not hold, named so a person
can go and look (which chain, which patient, which table and row)."""

from dataclasses import dataclass

__all__ = ["Finding"]


@dataclass(frozen=True)
class Finding:
    """One thing that does not hold. ``chain`` is what was checked: ``events`` (a patient's
    audit trail), ``record`` (a clinical row against the trail), ``views`` (the access log),
    ``accounts`` (the accounts chain and the account rows), ``listings`` (the log of listings
    shown) or ``checkpoint``."""

    chain: str
    problem: str
    patient: str | None = None
    table: str | None = None
    row_id: int | None = None
    seq: int | None = None

    @property
    def external_id(self) -> str | None:
        """The patient (as the chain-break reports of earlier releases named it)."""
        return self.patient

    def line(self) -> str:
        """The finding in one line, as the command prints it."""
        where = [f"patient {self.patient}"] if self.patient else []
        if self.table:
            where.append(self.table if self.row_id is None else f"{self.table} row {self.row_id}")
        if self.seq is not None:
            view = self.chain == "views" or self.table == "record_view"
            label = "entry" if self.chain == "listings" else "view" if view else "event"
            where.append(f"{label} {self.seq}")
        return ": ".join([self.chain, *where, self.problem])
