"""The cohort audit report (CLINICAL_SPEC §10): measures, counts by state, the flow between
states, the overdue list, the deviations, every alert with its acknowledgement and every
transition with actor and reason, for one period."""

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from pathway.adherence import TaskTimeliness, status_on, task_timeliness
from pathway.errors import InvalidValue
from pathway.machine import STATES

from ..bootstrap import App
from ..usecases.patient_data import alert_line, transition_line
from .cohort_data import PatientBundle, cohort_bundles
from .measures import Measure, MeasureTally

__all__ = ["DEVIATION_CODES", "CohortReport", "build_cohort_report"]

DEVIATION_CODES = frozenset(
    {
        "MDA5_STEP_UP_THERAPY",
        "AVOID_FIRST_LINE_AGENT",
        "AVOID_AGENT",
        "ANTIFIBROTIC_IN_ACUTE_RPILD",
        "PLASMA_EXCHANGE_OVERDUE",
        "PFT_OVERDUE",
        "CMV_MONITORING_OVERDUE",
    }
)
"""Alerts about what care did or did not do (as opposed to what the disease did, such as
PROGRESSION_SUSPECTED or CMV_REACTIVATION): the departures from the guideline an audit
reviews."""


@dataclass
class CohortReport:
    start: date
    end: date
    generated_at: datetime
    pathway_version: str
    measures: list[Measure]
    by_state: list[tuple[str, int]]
    flows: dict[tuple[str, str], int]
    alerts: list[dict[str, Any]] = field(default_factory=list)
    transitions: list[dict[str, Any]] = field(default_factory=list)
    overdue: list[dict[str, Any]] = field(default_factory=list)
    deviations: list[dict[str, Any]] = field(default_factory=list)
    patients: list[str] = field(default_factory=list)
    """Every patient whose record went into the report (counted in a measure or listed):
    who the access log says was seen, pseudonymised or not."""

    def as_data(self) -> dict[str, Any]:
        """Plain data for JSON and the templates."""
        return {
            "period": {"from": self.start, "to": self.end},
            "generated_at": self.generated_at,
            "pathway_version": self.pathway_version,
            "measures": [asdict(m) for m in self.measures],
            "patients_by_state": [{"state": s, "patients": n} for s, n in self.by_state],
            "flows": [
                {"from": a, "to": b, "transitions": n} for (a, b), n in sorted(self.flows.items())
            ],
            "overdue": self.overdue,
            "deviations": self.deviations,
            "alerts": self.alerts,
            "transitions": self.transitions,
            "decision_support": "The engine proposes; clinicians decide.",
        }


class _Collector:
    """The lists of the report, gathered as the cohort streams past."""

    def __init__(self, start: date, end: date, grace: dict[str, int]) -> None:
        self.start, self.end, self.grace = start, end, grace
        self.report_alerts: list[dict[str, Any]] = []
        self.transitions: list[dict[str, Any]] = []
        self.overdue: list[dict[str, Any]] = []
        self.deviations: list[dict[str, Any]] = []
        self.flows: dict[tuple[str, str], int] = {}

    def add(self, bundle: PatientBundle) -> None:
        patient_id = bundle.patient.external_id
        for alert in bundle.alerts:
            if self.start <= alert.raised_on <= self.end:
                # A plain row with AlertRow's columns: the same line as every listing.
                # How it stands at the period's end: holding, or cleared on D (§7a).
                line = {"patient": patient_id, **alert_line(alert, self.end)}  # type: ignore[arg-type]
                self.report_alerts.append(line)
                if alert.code in DEVIATION_CODES:
                    self.deviations.append(
                        {
                            "patient": patient_id,
                            "on": alert.raised_on,
                            "what": alert.code,
                            "detail": alert.message,
                            "acknowledged_by": alert.acknowledged_by,
                            "justification": alert.justification,
                        }
                    )
        for transition in bundle.transitions:
            if self.start <= transition.clinical_on <= self.end:
                self.flows[(transition.from_state, transition.to_state)] = (
                    self.flows.get((transition.from_state, transition.to_state), 0) + 1
                )
                line = {"patient": patient_id, **transition_line(transition)}  # type: ignore[arg-type]
                self.transitions.append(line)
        self._tasks(patient_id, bundle)

    def _tasks(self, patient_id: str, bundle: PatientBundle) -> None:
        for task in bundle.tasks:
            status = status_on(task.status, task.closed_on, self.end)
            open_at_end = task.opened_on <= self.end and status == "open"
            in_force = task.rescheduled_to or task.due_on  # §8: overdue counts from it
            if open_at_end and in_force < self.end:
                self.overdue.append(
                    {
                        "patient": patient_id,
                        "task": task.kind,
                        "due_on": in_force,
                        "days_overdue": (self.end - in_force).days,
                    }
                )
            if task.kind in self.grace and self.start <= task.due_on <= self.end:
                judged = task_timeliness(
                    task.due_on, status, task.closed_on, self.end, self.grace[task.kind]
                )
                if judged in (TaskTimeliness.LATE, TaskTimeliness.MISSED):
                    done = f", done {task.closed_on}" if judged is TaskTimeliness.LATE else ""
                    self.deviations.append(
                        {
                            "patient": patient_id,
                            "on": task.due_on,
                            "what": f"{task.kind} {judged.value}",
                            "detail": f"due {task.due_on}{done}",
                            "acknowledged_by": None,
                            "justification": None,
                        }
                    )


def build_cohort_report(app: App, start: date, end: date) -> CohortReport:
    """Stream the cohort once, tallying the measures and gathering the lists."""
    if end < start:
        raise InvalidValue("to", end.isoformat(), f"a date on or after --from ({start})")
    definition = app.definition
    tally = MeasureTally(start, end, definition)
    collector = _Collector(
        start,
        end,
        {"pft": definition.audit_grace_days, "cmv_test": definition.audit_cmv_grace_days},
    )
    patients: list[str] = []
    for bundle in cohort_bundles(app, start, end):
        tally.add(bundle)
        collector.add(bundle)
        patients.append(bundle.patient.external_id)
    by_state = [(s, tally.by_state.get(s, 0)) for s in STATES]
    collector.overdue.sort(key=lambda o: (o["due_on"], o["patient"]))
    collector.deviations.sort(key=lambda d: (d["on"], d["patient"]))
    collector.report_alerts.sort(key=lambda a: (a["raised_on"], a["patient"]))
    collector.transitions.sort(key=lambda t: (t["on"], t["patient"]))
    return CohortReport(
        start,
        end,
        app.clock.now(),
        definition.version,
        tally.measures(),
        by_state,
        collector.flows,
        collector.report_alerts,
        collector.transitions,
        collector.overdue,
        collector.deviations,
        patients,
    )
