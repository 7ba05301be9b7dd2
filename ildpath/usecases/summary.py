"""What a coordinator sees of one patient on a day: state, alerts, tasks, recommendations,
and the record behind them.

Read-only: it evaluates without writing, so looking never changes the record.
"""

from dataclasses import dataclass, field
from datetime import date

from pathway import Evaluation, PatientRecord, evaluate
from pathway.adherence import status_on
from pathway.chart import Chart
from pathway.exposure import Course
from pathway.phenotype import Phenotype, phenotype_on
from persistence.patients import Patient
from persistence.tables import (
    AlertRow,
    CareTaskRow,
    ObservationRow,
    PhenotypeEntryRow,
    ProcedureRow,
    RetractionRow,
    TherapyEventRow,
    TransitionRow,
    VaccinationRow,
)

from ..bootstrap import App
from .work import find_patient

__all__ = ["PatientSummary", "cleared_by", "patient_summary"]


def cleared_by(alert: AlertRow, day: date) -> bool:
    """Whether the alert's clearing condition was met on or before ``day`` (§7a)."""
    return alert.cleared_on is not None and alert.cleared_on <= day


@dataclass(frozen=True)
class PatientSummary:
    patient: Patient
    as_of: date
    evaluation: Evaluation
    alerts: list[AlertRow]
    tasks: list[CareTaskRow]
    transitions: list[TransitionRow]
    record: PatientRecord
    chart: Chart
    observations: list[ObservationRow]
    therapy_events: list[TherapyEventRow]
    procedures: list[ProcedureRow]
    vaccinations: list[VaccinationRow]
    phenotype_entries: list[PhenotypeEntryRow]
    retractions: list[RetractionRow] = field(default_factory=list)
    """Entries corrected or entered in error (§11), in the order taken back."""

    def retraction(self, entry_id: str) -> RetractionRow | None:
        """How ``entry_id`` (``obs12``) was taken back by ``as_of``, if it was: the history
        shows it marked, and no chart draws it as current."""
        return next(
            (r for r in self.retractions if r.entry_id == entry_id and r.recorded_on <= self.as_of),
            None,
        )

    def standing_observations(self) -> list[ObservationRow]:
        """The observations not taken back by ``as_of`` (what the charts draw)."""
        return [o for o in self.observations if self.retraction(f"obs{o.id}") is None]

    @property
    def phenotype(self) -> Phenotype:
        return phenotype_on(self.record.corrected(), self.as_of)

    def therapy_courses(self) -> list[Course]:
        """Every course of every agent started by ``as_of``, in the order started."""
        return [c for c in self.chart.exposure.courses if c.start.on <= self.as_of]

    def active_courses(self) -> list[Course]:
        return [c for c in self.therapy_courses() if c.active_on(self.as_of)]

    def standing_alerts(self) -> list[AlertRow]:
        """Alerts raised on or before ``as_of`` and not withdrawn (§7a), acknowledged or not."""
        return [a for a in self.alerts if a.raised_on <= self.as_of and a.status != "withdrawn"]

    def alert_codes(self) -> set[str]:
        """Alerts raised on or before ``as_of`` and not withdrawn, acknowledged or not."""
        return {a.code for a in self.standing_alerts()}

    def holding_alert_codes(self) -> set[str]:
        """Standing alerts not cleared on ``as_of`` (§7a "holds")."""
        return {a.code for a in self.standing_alerts() if not cleared_by(a, self.as_of)}

    def unacknowledged_alert_codes(self) -> set[str]:
        """Standing alerts not acknowledged on ``as_of``."""
        return {
            a.code
            for a in self.standing_alerts()
            if a.acknowledged_at is None or a.acknowledged_at.date() > self.as_of
        }

    def withdrawn_alert_codes(self) -> set[str]:
        """Alerts withdrawn on or before ``as_of`` (within the day they were recorded)."""
        return {
            a.code for a in self.alerts if a.status == "withdrawn" and a.raised_on <= self.as_of
        }

    def task_kinds(self, status: str) -> set[str]:
        """Task kinds by status on ``as_of``: open, overdue or done."""
        day = self.as_of
        if status == "done":
            return {
                t.kind
                for t in self.tasks
                if t.status == "done" and t.closed_on is not None and t.closed_on <= day
            }
        open_tasks = [
            t
            for t in self.tasks
            if t.opened_on <= day and status_on(t.status, t.closed_on, day) == "open"
        ]
        if status == "overdue":
            return {t.kind for t in open_tasks if day > (t.rescheduled_to or t.due_on)}
        return {t.kind for t in open_tasks}


def patient_summary(app: App, external_id: str, as_of: date | None = None) -> PatientSummary:
    day = as_of or app.clock.today()
    with app.unit_of_work() as uow:
        patient = find_patient(uow, external_id)
        record = uow.patients.records([patient])[patient.id]
        rows = uow.patients.rows(patient)
        return PatientSummary(
            patient,
            day,
            evaluate(record, day, app.definition),
            rows.alerts,
            rows.tasks,
            rows.transitions,
            record,
            Chart(record.known_on(day), app.definition),
            rows.observations,
            rows.therapy_events,
            rows.procedures,
            rows.vaccinations,
            rows.phenotype_entries,
            rows.retractions,
        )
