"""One patient as plain data (for ``--json``, the API and the patient report): the same
fields, in the same words, wherever the patient is shown."""

from typing import Any

from pathway.adherence import status_on, task_timeliness
from persistence.tables import AlertRow, TransitionRow

from .summary import PatientSummary
from .timeline import timeline

__all__ = ["alert_line", "patient_data", "transition_line"]


def _phenotype(summary: PatientSummary) -> dict[str, Any]:
    p = summary.phenotype
    return {
        "group": p.group,
        "diagnosis": p.diagnosis,
        "anti_mda5": p.anti_mda5,
        "anti_ars": p.anti_ars,
        "ild_course": p.ild_course,
        "risk_factors": sorted(p.flags),
        "weight_kg": p.weight_kg,
    }


def _therapies(summary: PatientSummary) -> list[dict[str, Any]]:
    active = summary.chart.exposure.active_on(summary.as_of)
    return [
        {
            "agent": c.agent,
            "since": c.start.on,
            "route": active[c.agent].route,
            "dose_mg_per_day": active[c.agent].dose_mg_per_day,
        }
        for c in summary.active_courses()
    ]


def _tasks(summary: PatientSummary) -> list[dict[str, Any]]:
    day, grace = summary.as_of, summary.chart.definition.audit_grace_days
    rows = []
    for t in summary.tasks:
        if t.opened_on > day:
            continue
        status = status_on(t.status, t.closed_on, day)
        still_open = status == "open"
        rows.append(
            {
                "kind": t.kind,
                "opened_on": t.opened_on,
                "due_on": t.due_on,
                "status": status,
                "closed_on": None if still_open else t.closed_on,
                "overdue": still_open and day > t.due_on,
                "timeliness": task_timeliness(t.due_on, status, t.closed_on, day, grace).value,
                "source": t.source,
                "pathway_version": t.pathway_version,
            }
        )
    return rows


def alert_line(a: AlertRow) -> dict[str, Any]:
    """An alert as every listing and report shows it: code, severity, source, version and
    the acknowledgement."""
    return {
        "id": a.id,
        "code": a.code,
        "severity": a.severity,
        "raised_on": a.raised_on,
        "message": a.message,
        "source": a.source,
        "pathway_version": a.pathway_version,
        "acknowledged_at": a.acknowledged_at,
        "acknowledged_by": a.acknowledged_by,
        "justification": a.justification,
    }


def transition_line(t: TransitionRow) -> dict[str, Any]:
    """A transition with who, when (effective and recorded), why and the pathway version."""
    return {
        "on": t.clinical_on,
        "recorded_at": t.recorded_at,
        "trigger": t.trigger,
        "from": t.from_state,
        "to": t.to_state,
        "actor": t.actor,
        "role": t.role,
        "reason": t.reason,
        "outcome": t.outcome,
        "closing_reason": t.closing_reason,
        "evidence": t.evidence,
        "pathway_version": t.pathway_version,
    }


def _state_since(summary: PatientSummary) -> Any:
    moves = summary.chart.course.until(summary.as_of)
    return moves[-1].on if moves else summary.patient.enrolled_on


def patient_data(summary: PatientSummary) -> dict[str, Any]:
    patient, evaluation = summary.patient, summary.evaluation
    return {
        "id": patient.external_id,
        "as_of": summary.as_of,
        "sex": patient.sex,
        "birth_date": patient.birth_date,
        "enrolled_on": patient.enrolled_on,
        "state": evaluation.state,
        "state_since": _state_since(summary),
        "pathway_version": evaluation.version,
        "phenotype": _phenotype(summary),
        "active_therapies": _therapies(summary),
        "tasks": _tasks(summary),
        "alerts": [alert_line(a) for a in summary.alerts if a.raised_on <= summary.as_of],
        "recommendations": [
            {"rank": r.rank, "code": r.code, "message": r.message, "source": r.source}
            for r in evaluation.recommendations
        ],
        "proposed_triggers": [
            {"trigger": p.trigger, "reason": p.reason, "evidence": list(p.evidence)}
            for p in evaluation.proposals
        ],
        "allowed_triggers": list(evaluation.allowed_triggers),
        "transitions": [
            transition_line(t) for t in summary.transitions if t.clinical_on <= summary.as_of
        ],
        "timeline": [
            {"on": e.on, "category": e.category, "text": e.text, "actor": e.actor}
            for e in timeline(summary)
        ],
        "decision_support": "The engine proposes; clinicians decide.",
    }
