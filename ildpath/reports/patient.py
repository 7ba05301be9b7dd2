"""The patient report: the course as states, therapies and observations over time, with the
FVC/DLCO chart, alerts with acknowledgements, tasks done on time or late, and every transition
with actor, reason and pathway version."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from pathway.catalogue import AgentClass, agent_class
from pathway.doses import dose_shown

from ..bootstrap import App
from ..usecases.patient_data import patient_data
from ..usecases.results import markers
from ..usecases.summary import PatientSummary, patient_summary
from .charts import Band, MarkerPoint, PftPoint

__all__ = ["PatientReport", "build_patient_report", "state_bands", "therapy_bands"]

_AVOID = {AgentClass.TNF_INHIBITOR, AgentClass.OTHER_BIOLOGIC_TO_AVOID, AgentClass.ANTIFIBROTIC}


@dataclass
class PatientReport:
    generated_at: datetime
    data: dict[str, Any]
    start: date
    end: date
    pft_points: list[PftPoint]
    bands: list[Band]
    marker_points: list[MarkerPoint] = field(default_factory=list)
    """Ferritin and KL-6, charted beside FVC/DLCO (§11)."""


def state_bands(summary: PatientSummary) -> list[Band]:
    """One band per state the patient was in, from enrolment to the report's day."""
    bands, since, state = [], summary.patient.enrolled_on, "diagnosis"
    for move in summary.chart.course.until(summary.as_of):
        bands.append(Band("State", state, since, move.on, state))
        since, state = move.on, move.dest
    bands.append(Band("State", state, since, None, state))
    return bands


def _tone(agent: str) -> str:
    cls = agent_class(agent)
    if cls in _AVOID:
        return "avoid"
    return "supportive" if cls is AgentClass.SUPPORTIVE else "therapy"


def therapy_bands(summary: PatientSummary) -> list[Band]:
    """One band per course of each agent, labelled with route and first dose."""
    bands = []
    for course in summary.therapy_courses():
        start = course.start
        detail = " ".join(d for d in (start.route or "", dose_shown(summary.record, start)) if d)
        stopped = (
            course.stopped_on if course.stopped_on and course.stopped_on <= summary.as_of else None
        )
        bands.append(
            Band(course.agent, detail or course.agent, start.on, stopped, _tone(course.agent))
        )
    return bands


def build_patient_report(app: App, patient_id: str, as_of: date | None = None) -> PatientReport:
    summary = patient_summary(app, patient_id, as_of)
    pfts = [
        o
        for o in summary.standing_observations()
        if o.kind == "pft" and o.clinical_on <= summary.as_of
    ]
    points = [
        PftPoint(o.clinical_on, o.fvc_pct, o.dlco_pct)
        for o in sorted(pfts, key=lambda o: o.clinical_on)
    ]
    first = min([summary.patient.enrolled_on, *(p.on for p in points)])
    end = max(summary.as_of, first + timedelta(days=1))
    return PatientReport(
        app.clock.now(),
        patient_data(summary),
        first,
        end,
        points,
        state_bands(summary) + therapy_bands(summary),
        [MarkerPoint(*m) for m in markers(summary)],
    )
