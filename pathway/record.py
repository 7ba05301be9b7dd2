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
    "OCCURRENCE_MARK",
    "AlertRaised",
    "Observation",
    "PatientRecord",
    "PhenotypeEntry",
    "Procedure",
    "Retraction",
    "TaskAction",
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
    """A PFT, CMV DNA load, HRCT, oxygen requirement, laboratory result, resting SpO2 or
    six-minute walk (§11). A ``lab`` observation holds one analyte; a CMV load is in
    ``iu_per_ml`` or ``copies_per_ml`` (never converted), with its ``comparator`` when
    reported beyond a limit (``<`` 35 IU/mL: `pathway.observations.cmv_load`)."""

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
    ferritin: float | None = None
    ck: float | None = None
    kl6: float | None = None
    crp: float | None = None
    spo2: float | None = None
    metres: float | None = None
    nadir_spo2: float | None = None
    copies_per_ml: float | None = None
    comparator: str | None = None

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
class Retraction:
    """An entry taken back (§11 Corrections): corrected (``replaced_by`` names the entry that
    replaces it) or entered in error (``replaced_by`` is None). Nothing is deleted: the entry
    stays in the record, and the rules stop reading it from ``recorded_on`` on, so what the
    engine knew before the correction can still be asked (`PatientRecord.known_on`)."""

    entry_id: str
    on: date
    """The clinical date of the retracted entry."""
    recorded_on: date
    reason: str
    replaced_by: str | None = None


@dataclass(frozen=True)
class TaskAction:
    """A person's action on one care task (§8 Acting on a task): ``decline`` (with a reason),
    ``reschedule`` (to ``new_due_on``, with a reason) or ``assign`` (to ``assignee``). Taken on
    the clinic day it is recorded (``on`` equals ``recorded_on``), never back-dated. The task
    is named by its key, which the ledgers derive the same way from the same record.

    ``engine_due_on`` is the engine's due date when the task was rescheduled: the reschedule
    holds while the engine's date stays the one it was made against (a recomputed PFT due
    date, when the risk changes, takes over again)."""

    id: str
    task_key: str
    task_kind: str
    action: str
    on: date
    recorded_on: date
    reason: str | None = None
    new_due_on: date | None = None
    assignee: str | None = None
    engine_due_on: date | None = None


@dataclass(frozen=True)
class AlertRaised:
    """An alert the engine has already raised; its key makes raising idempotent.

    ``raised_on`` is the day it was recorded; ``clinical_on`` the date of its cause (§7a), the
    day whose entries may still withdraw it on the day it was recorded. A withdrawn alert keeps
    its row but raises no task and blocks no new occurrence; a cleared one stays, to be
    acknowledged, and never holds again."""

    code: str
    key: str
    raised_on: date
    evidence: tuple[str, ...] = ()
    clinical_on: date | None = None
    withdrawn: bool = False
    cleared_on: date | None = None
    id: str = ""
    cleared_recorded_on: date | None = None
    """The day the clearing was recorded: until that day ends, the day's other entries may
    undo it (judged per clinical day, §9); then it is final."""

    @property
    def cause_day(self) -> date:
        """The alert's clinical day (§7a): its cause's date, else the day it was raised."""
        return self.clinical_on if self.clinical_on is not None else self.raised_on

    @property
    def base_key(self) -> str:
        """The rule's key: a later occurrence after a withdrawal is stored as ``key@2``."""
        return self.key.partition(OCCURRENCE_MARK)[0]


OCCURRENCE_MARK = "@"
"""Separates a rule's alert key from the occurrence number of an alert raised again after the
first one was withdrawn (the stored key stays unique per patient)."""


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
    retractions: tuple[Retraction, ...] = ()
    task_actions: tuple[TaskAction, ...] = ()

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

        An entry retracted (§11 Corrections) by a retraction recorded by then is left out: the
        rules judge the corrected record from the day of the correction, and what they said
        before it stays what they said.
        """
        known = replace(
            self,
            phenotype=tuple(e for e in self.phenotype if e.recorded_on <= day),
            observations=tuple(e for e in self.observations if e.recorded_on <= day),
            therapies=tuple(e for e in self.therapies if e.recorded_on <= day),
            procedures=tuple(e for e in self.procedures if e.recorded_on <= day),
            vaccinations=tuple(e for e in self.vaccinations if e.recorded_on <= day),
            transitions=tuple(e for e in self.transitions if e.recorded_on <= day),
            alerts=tuple(a for a in self.alerts if a.raised_on <= day),
            retractions=tuple(r for r in self.retractions if r.recorded_on <= day),
            task_actions=tuple(a for a in self.task_actions if a.recorded_on <= day),
        )
        return known.corrected()

    def corrected(self) -> "PatientRecord":
        """The record without the entries retracted (§11 Corrections): what a decision taken
        now reads (is the agent to stop active? what is the phenotype today?). The
        retractions themselves stay, so the history can still show what was taken back."""
        if not self.retractions:
            return self
        gone = frozenset(r.entry_id for r in self.retractions)
        kept: dict[str, Any] = {
            part: tuple(e for e in getattr(self, part) if e.id not in gone) for part in ENTRY_PARTS
        }
        return replace(self, **kept)

    def retraction_of(self, entry_id: str) -> Retraction | None:
        """The retraction of ``entry_id``, if it was taken back."""
        return next((r for r in self.retractions if r.entry_id == entry_id), None)

    def entry(self, entry_id: str) -> Any:
        """The entry with this record id (``obs12``), or None."""
        return next((e for e in self.entries() if e.id == entry_id), None)
