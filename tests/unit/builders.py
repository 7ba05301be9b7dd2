"""Terse builders of `PatientRecord` values for the unit tests of the pure domain.

    record = (
        patient(enrolled="2026-01-05", anti_mda5="positive", ild_course="rapidly_progressive")
        .start("2026-01-05", "prednisone", dose=60)
        .pft("2026-01-06", fvc=72, dlco=55)
        .build()
    )
    evaluation = evaluate_on(record, "2026-01-10")

Defaults describe a low-risk patient (anti-MDA5 and anti-ARS negative, non-progressive course,
no flags), so each test names only the phenotype it depends on. Every entry's ``recorded_on``
defaults to its clinical date; ids are unique strings within a record (``.last_id`` is the id
of the last entry added, for evidence assertions).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import pathway
from pathway.findings import Alert, CareTask
from pathway.machine import TRIGGERS
from pathway.record import (
    AlertRaised,
    Observation,
    PatientRecord,
    PhenotypeEntry,
    Procedure,
    TherapyEvent,
    TransitionEntry,
    Vaccination,
)

__all__ = [
    "PatientBuilder",
    "alert_codes",
    "alerts_of",
    "day",
    "evaluate_on",
    "open_task",
    "patient",
    "plus",
    "raised",
    "recommended",
    "simulate",
    "tasks_of",
]

DateLike = date | str


def day(value: DateLike) -> date:
    """A date from an ISO string (or a date, unchanged)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def plus(value: DateLike, days: int) -> date:
    """``value`` + ``days`` calendar days (F + 3 reads ``plus(F, 3)``)."""
    return day(value) + timedelta(days=days)


class PatientBuilder:
    """Accumulates a patient's entries; each method returns the builder for chaining."""

    def __init__(
        self,
        enrolled: DateLike,
        *,
        anti_mda5: str = "negative",
        anti_ars: str = "negative",
        ild_course: str | None = "non_progressive",
        diagnosis: str = "dermatomyositis",
        flags: Iterable[str] = (),
        weight_kg: float | None = 70,
        birth: DateLike = "1970-01-01",
        patient_id: str = "P-TEST",
    ) -> None:
        self.enrolled = day(enrolled)
        self.birth = day(birth)
        self.patient_id = patient_id
        self._counter = 0
        self.last_id = ""
        self._phenotype: list[PhenotypeEntry] = []
        self._observations: list[Observation] = []
        self._therapies: list[TherapyEvent] = []
        self._procedures: list[Procedure] = []
        self._vaccinations: list[Vaccination] = []
        self._transitions: list[TransitionEntry] = []
        self._alerts: list[AlertRaised] = []
        self._state = "diagnosis"
        self._referral_origin: str | None = None
        enrolment = {
            "diagnosis": diagnosis,
            "anti_mda5": anti_mda5,
            "anti_ars": anti_ars,
            "ild_course": ild_course,
            "risk_factors": list(flags),
            "weight_kg": weight_kg,
        }
        for field, value in enrolment.items():
            self._phenotype.append(
                PhenotypeEntry(self._id("ph"), field, value, self.enrolled, self.enrolled)
            )

    # -- helpers ---------------------------------------------------------------------------

    def _id(self, prefix: str) -> str:
        self._counter += 1
        self.last_id = f"{prefix}-{self._counter}"
        return self.last_id

    @staticmethod
    def _dates(on: DateLike, recorded_on: DateLike | None) -> tuple[date, date]:
        clinical = day(on)
        return clinical, clinical if recorded_on is None else day(recorded_on)

    def _observe(self, kind: str, on: DateLike, recorded_on: DateLike | None, **values: Any):
        clinical, recorded = self._dates(on, recorded_on)
        self._observations.append(Observation(self._id(kind), kind, clinical, recorded, **values))
        return self

    # -- observations ----------------------------------------------------------------------

    def pft(
        self,
        on: DateLike,
        fvc: float | None = None,
        dlco: float | None = None,
        *,
        dlco_corrected: float | None = None,
        fvc_l: float | None = None,
        recorded_on: DateLike | None = None,
    ) -> PatientBuilder:
        return self._observe(
            "pft",
            on,
            recorded_on,
            fvc_pct=fvc,
            dlco_pct=dlco,
            dlco_corrected_pct=dlco_corrected,
            fvc_l=fvc_l,
        )

    def cmv(self, on: DateLike, iu: float, *, recorded_on: DateLike | None = None):
        return self._observe("cmv", on, recorded_on, iu_per_ml=iu)

    def cmv_reported(
        self,
        on: DateLike,
        *,
        iu: float | None = None,
        copies: float | None = None,
        comparator: str | None = None,
        recorded_on: DateLike | None = None,
    ):
        """A CMV load as the laboratory reported it: IU/mL or copies/mL, with a comparator."""
        return self._observe(
            "cmv", on, recorded_on, iu_per_ml=iu, copies_per_ml=copies, comparator=comparator
        )

    def oxygen(self, on: DateLike, level: str, *, recorded_on: DateLike | None = None):
        return self._observe("oxygen", on, recorded_on, oxygen=level)

    def hrct(
        self,
        on: DateLike,
        *,
        finding: str = "fibrotic changes",
        extensive_ggo: bool = False,
        recorded_on: DateLike | None = None,
    ) -> PatientBuilder:
        return self._observe("hrct", on, recorded_on, finding=finding, extensive_ggo=extensive_ggo)

    # -- therapy ---------------------------------------------------------------------------

    def start(
        self,
        on: DateLike,
        agent: str,
        dose: float | None = None,
        route: str | None = None,
        *,
        unit: str = "mg",
        every: str = "day",
        recorded_on: DateLike | None = None,
    ) -> PatientBuilder:
        """A start; ``dose`` is mg every day unless ``unit``/``every`` say otherwise."""
        clinical, recorded = self._dates(on, recorded_on)
        given = (unit, every) if dose is not None else (None, None)
        self._therapies.append(
            TherapyEvent(self._id("rx"), agent, "start", clinical, recorded, route, dose, *given)
        )
        return self

    def stop(self, on: DateLike, agent: str, *, recorded_on: DateLike | None = None):
        clinical, recorded = self._dates(on, recorded_on)
        self._therapies.append(TherapyEvent(self._id("rx"), agent, "stop", clinical, recorded))
        return self

    # -- procedures, vaccinations ----------------------------------------------------------

    def procedure(self, on: DateLike, kind: str, *, recorded_on: DateLike | None = None):
        clinical, recorded = self._dates(on, recorded_on)
        self._procedures.append(Procedure(self._id("proc"), kind, clinical, recorded))
        return self

    def vaccination(self, on: DateLike, kind: str, *, recorded_on: DateLike | None = None):
        clinical, recorded = self._dates(on, recorded_on)
        self._vaccinations.append(Vaccination(self._id("vac"), kind, clinical, recorded))
        return self

    # -- pathway ---------------------------------------------------------------------------

    def transition(
        self,
        on: DateLike,
        trigger: str,
        source: str | None = None,
        dest: str | None = None,
        reason: str | None = "clinical decision",
        *,
        outcome: str | None = None,
        closing_reason: str | None = None,
        recorded_on: DateLike | None = None,
    ) -> PatientBuilder:
        """A fired trigger; ``source``/``dest`` default to the path the builder has followed
        (the builder does not check guards: it records what a person fired)."""
        source = self._state if source is None else source
        if dest is None:
            dest = TRIGGERS[trigger][1]
            if trigger == "return_from_referral":
                dest = self._referral_origin or "diagnosis"
        if trigger == "refer_transplant":
            self._referral_origin = source
        if trigger == "return_from_referral" and outcome is None:
            outcome = "declined"
        if trigger == "close" and closing_reason is None:
            closing_reason = "deceased"
        clinical, recorded = self._dates(on, recorded_on)
        self._transitions.append(
            TransitionEntry(
                self._id("tr"),
                trigger,
                source,
                dest,
                clinical,
                recorded,
                reason,
                outcome,
                closing_reason,
            )
        )
        self._state = dest
        return self

    def amend(
        self, on: DateLike, field: str, value: Any, *, recorded_on: DateLike | None = None
    ) -> PatientBuilder:
        """A phenotype amendment from ``on``; ``flags`` is the risk_factors field."""
        field = "risk_factors" if field == "flags" else field
        clinical, recorded = self._dates(on, recorded_on)
        self._phenotype.append(PhenotypeEntry(self._id("ph"), field, value, clinical, recorded))
        return self

    def build(self) -> PatientRecord:
        return PatientRecord(
            patient_id=self.patient_id,
            birth_date=self.birth,
            enrolled_on=self.enrolled,
            phenotype=tuple(self._phenotype),
            observations=tuple(self._observations),
            therapies=tuple(self._therapies),
            procedures=tuple(self._procedures),
            vaccinations=tuple(self._vaccinations),
            transitions=tuple(self._transitions),
            alerts=tuple(self._alerts),
        )


def patient(enrolled: DateLike = "2026-01-05", **phenotype: Any) -> PatientBuilder:
    """A new patient enrolled on ``enrolled`` (low-risk phenotype unless told otherwise)."""
    return PatientBuilder(enrolled, **phenotype)


# -- evaluating ----------------------------------------------------------------------------


def evaluate_on(
    record: PatientRecord,
    as_of: DateLike,
    definition: pathway.PathwayDefinition | None = None,
) -> pathway.Evaluation:
    """`pathway.evaluate` with the shipped definition unless another is given."""
    return pathway.evaluate(record, day(as_of), definition or pathway.default_definition())


def simulate(
    record: PatientRecord,
    until: DateLike,
    definition: pathway.PathwayDefinition | None = None,
) -> tuple[PatientRecord, pathway.Evaluation]:
    """The daily evaluation from enrolment to ``until`` (inclusive): each alert returned for
    the first time is appended to ``record.alerts`` with ``raised_on`` = that day, as the
    scheduler does. Returns the record with that alert history and the last evaluation."""
    end = day(until)
    current = record.enrolled_on
    while True:
        evaluation = evaluate_on(record, current, definition)
        known = {a.key for a in record.alerts}
        fresh = tuple(
            AlertRaised(a.code, a.key, current, a.evidence)
            for a in evaluation.alerts
            if a.key not in known
        )
        if fresh:
            record = dataclasses.replace(record, alerts=record.alerts + fresh)
        if current >= end:
            return record, evaluation
        current += timedelta(days=1)


# -- reading an evaluation -----------------------------------------------------------------


def alert_codes(evaluation: pathway.Evaluation) -> set[str]:
    """Codes of the alerts whose condition holds on the evaluation day."""
    return {a.code for a in evaluation.alerts}


def alerts_of(evaluation: pathway.Evaluation, code: str) -> list[Alert]:
    return [a for a in evaluation.alerts if a.code == code]


def raised(record: PatientRecord, code: str) -> list[date]:
    """The days an alert with ``code`` was raised, from a simulated alert history."""
    return [a.raised_on for a in record.alerts if a.code == code]


def recommended(evaluation: pathway.Evaluation) -> list[str]:
    """Recommendation codes in rank order."""
    return [r.code for r in sorted(evaluation.recommendations, key=lambda r: r.rank)]


def tasks_of(evaluation: pathway.Evaluation, kind: str) -> list[CareTask]:
    """Every instance of a task kind (open, done or cancelled), in opening order."""
    return sorted((t for t in evaluation.tasks if t.kind == kind), key=lambda t: t.opened_on)


def open_task(evaluation: pathway.Evaluation, kind: str) -> CareTask | None:
    """The open instance of ``kind`` on the evaluation day (at most one, §8)."""
    hits = [t for t in evaluation.open_tasks() if t.kind == kind]
    assert len(hits) <= 1, f"{kind} open more than once: {hits}"
    return hits[0] if hits else None
