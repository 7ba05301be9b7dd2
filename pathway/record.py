"""The patient's record as plain values: what the rules read.

The record is the truth (ARCHITECTURE): the rules never hold state of their own, they are
handed everything that was recorded for one patient and say what follows. Each entry carries
its clinical (effective) date ``on`` and the clinic day it was recorded ``recorded_on``, so the
rules can be asked what the engine knew on a given day (``PatientRecord.known_on``).
"""

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

__all__ = [
    "ENTRY_PARTS",
    "AlertRaised",
    "Observation",
    "PatientRecord",
    "PhenotypeEntry",
    "Procedure",
    "TherapyEvent",
    "TransitionEntry",
    "Vaccination",
]


@dataclass(frozen=True)
class PhenotypeEntry:
    """One value of one phenotype field, in force from ``on`` (enrolment or an amendment)."""

    id: str
    field: str
    value: Any
    on: date
    recorded_on: date


@dataclass(frozen=True)
class Observation:
    """A PFT, CMV DNA load, HRCT or oxygen requirement (§11)."""

    id: str
    kind: str
    on: date
    recorded_on: date
    fvc_pct: float | None = None
    dlco_pct: float | None = None
    dlco_corrected_pct: float | None = None
    fvc_l: float | None = None
    iu_per_ml: float | None = None
    oxygen: str | None = None
    finding: str | None = None
    extensive_ggo: bool | None = None

    @property
    def dlco_for_trend(self) -> float | None:
        """DLCO % predicted, haemoglobin-corrected where available (§5)."""
        return self.dlco_corrected_pct if self.dlco_corrected_pct is not None else self.dlco_pct


@dataclass(frozen=True)
class TherapyEvent:
    """A ``start`` (or change of dose, when already active) or a ``stop`` of one agent."""

    id: str
    agent: str
    action: str
    on: date
    recorded_on: date
    route: str | None = None
    dose: float | None = None
    """The amount as written, in ``unit``, given ``every`` (§11 Doses); all three or none."""
    unit: str | None = None
    every: str | None = None


@dataclass(frozen=True)
class Procedure:
    """A procedure done (§11): plasma exchange, pulmonary rehabilitation."""

    id: str
    kind: str
    on: date
    recorded_on: date


@dataclass(frozen=True)
class Vaccination:
    """A vaccination given (§11): influenza, pneumococcal, COVID-19."""

    id: str
    kind: str
    on: date
    recorded_on: date


@dataclass(frozen=True)
class TransitionEntry:
    """A fired trigger, effective from ``on`` (§3)."""

    id: str
    trigger: str
    source: str
    dest: str
    on: date
    recorded_on: date
    reason: str | None = None
    outcome: str | None = None
    closing_reason: str | None = None


@dataclass(frozen=True)
class AlertRaised:
    """An alert the engine has already raised; its key makes raising idempotent."""

    code: str
    key: str
    raised_on: date
    evidence: tuple[str, ...] = ()


ENTRY_PARTS = (
    "phenotype",
    "observations",
    "therapies",
    "procedures",
    "vaccinations",
    "transitions",
)
"""The parts of a record that hold dated entries (each with ``on`` and ``recorded_on``)."""


@dataclass(frozen=True)
class PatientRecord:
    """Everything recorded for one patient, in recording order within each list."""

    patient_id: str
    birth_date: date
    enrolled_on: date
    phenotype: tuple[PhenotypeEntry, ...]
    observations: tuple[Observation, ...] = ()
    therapies: tuple[TherapyEvent, ...] = ()
    procedures: tuple[Procedure, ...] = ()
    vaccinations: tuple[Vaccination, ...] = ()
    transitions: tuple[TransitionEntry, ...] = ()
    alerts: tuple[AlertRaised, ...] = field(default=())

    def entries(self) -> Iterator[Any]:
        """Every dated entry, part after part."""
        for part in ENTRY_PARTS:
            yield from getattr(self, part)

    def appended(self, part: str, entry: Any) -> "PatientRecord":
        """This record with one more entry at the end of ``part`` (``observations``,
        ``alerts`` ...): what a writer holding the record adds, without reading it again."""
        grown: dict[str, Any] = {part: (*getattr(self, part), entry)}
        return replace(self, **grown)

    def known_on(self, day: date) -> "PatientRecord":
        """The record as the engine knew it at the end of ``day`` (entries recorded by then).

        Alerts count from the day the engine learned of their cause (FORMAT.md), so a late
        entry never raises an alert in the past.
        """
        return replace(
            self,
            phenotype=tuple(e for e in self.phenotype if e.recorded_on <= day),
            observations=tuple(e for e in self.observations if e.recorded_on <= day),
            therapies=tuple(e for e in self.therapies if e.recorded_on <= day),
            procedures=tuple(e for e in self.procedures if e.recorded_on <= day),
            vaccinations=tuple(e for e in self.vaccinations if e.recorded_on <= day),
            transitions=tuple(e for e in self.transitions if e.recorded_on <= day),
            alerts=tuple(a for a in self.alerts if a.raised_on <= day),
        )
