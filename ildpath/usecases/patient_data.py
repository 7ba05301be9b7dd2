"""One patient as plain data (for ``--json``, the API and the patient report): the same
fields, in the same words, wherever the patient is shown."""

from datetime import date
from typing import Any

from pathway.adherence import status_on, task_timeliness
from pathway.exposure import ActiveAgent
from persistence.tables import AlertRow, TransitionRow

from .alert_standing import lifecycle_fields, withdrawn
from .evidence import shown_evidence
from .results import results
from .summary import PatientSummary
from .timeline import timeline

__all__ = ["alert_line", "patient_data", "transition_line"]


def _phenotype(summary: PatientSummary) -> dict[str, Any]:
    phenotype = summary.phenotype
    return {
        "group": phenotype.group,
        "diagnosis": phenotype.diagnosis,
        "anti_mda5": phenotype.anti_mda5,
        "anti_ars": phenotype.anti_ars,
        "ild_course": phenotype.ild_course,
        "risk_factors": sorted(phenotype.flags),
        "weight_kg": phenotype.weight_kg,
        "height_cm": phenotype.height_cm,
    }


def _therapies(summary: PatientSummary) -> list[dict[str, Any]]:
    active = summary.chart.exposure.active_on(summary.as_of)
    return [
        _therapy(course.agent, course.start.on, active[course.agent])
        for course in summary.active_courses()
    ]


def _therapy(agent: str, since: date, active: ActiveAgent) -> dict[str, Any]:
    """An active agent with its current dose: as written (``dose``, ``unit``, ``every``), in mg
    per administration after conversion (``dose_mg``), and shown in words (``dose_text``)."""
    dose = active.dose
    return {
        "agent": agent,
        "since": since,
        "route": active.route,
        "dose": None if dose is None else dose.amount,
        "unit": None if dose is None else dose.unit,
        "every": None if dose is None else dose.every,
        "dose_mg": active.mg,
        "dose_text": "" if dose is None else dose.shown(active.mg),
    }


def _tasks(summary: PatientSummary) -> list[dict[str, Any]]:
    day, grace = summary.as_of, summary.chart.definition.audit_grace_days
    rows = []
    for task in summary.tasks:
        if task.opened_on > day:
            continue
        status = status_on(task.status, task.closed_on, day)
        still_open = status == "open"
        in_force = task.rescheduled_to or task.due_on  # §8: overdue counts from it
        rows.append(
            {
                "id": task.id,
                "kind": task.kind,
                "opened_on": task.opened_on,
                "due_on": task.due_on,
                "due_in_force": in_force,
                "rescheduled_to": task.rescheduled_to,
                "assignee": task.assignee,
                "declined_reason": task.declined_reason if status == "declined" else None,
                "status": status,
                "closed_on": None if still_open else task.closed_on,
                "overdue": still_open and day > in_force,
                "timeliness": task_timeliness(
                    task.due_on, status, task.closed_on, day, grace
                ).value,
                "source": task.source,
                "pathway_version": task.pathway_version,
            }
        )
    return rows


def alert_line(alert: AlertRow, day: date | None = None) -> dict[str, Any]:
    """An alert as every listing and report shows it: code, severity, source, version, the
    acknowledgement, and how it stands on ``day`` (default: the day it was raised): holding,
    cleared on D, or withdrawn (§7a)."""
    return {
        "id": alert.id,
        "code": alert.code,
        "severity": alert.severity,
        "raised_on": alert.raised_on,
        "message": alert.message,
        "source": alert.source,
        "pathway_version": alert.pathway_version,
        "acknowledged_at": alert.acknowledged_at,
        "acknowledged_by": alert.acknowledged_by,
        "justification": alert.justification,
        **lifecycle_fields(alert, day or alert.raised_on),
    }


def transition_line(transition: TransitionRow) -> dict[str, Any]:
    """A transition with who, when (effective and recorded), why and the pathway version."""
    return {
        "on": transition.clinical_on,
        "recorded_at": transition.recorded_at,
        "trigger": transition.trigger,
        "from": transition.from_state,
        "to": transition.to_state,
        "actor": transition.actor,
        "role": transition.role,
        "reason": transition.reason,
        "outcome": transition.outcome,
        "closing_reason": transition.closing_reason,
        "evidence": transition.evidence,
        "pathway_version": transition.pathway_version,
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
        "alerts": [alert_line(a, summary.as_of) for a in summary.standing_alerts()],
        "withdrawn_alerts": [
            alert_line(a, summary.as_of)
            for a in summary.alerts
            if withdrawn(a) and a.raised_on <= summary.as_of
        ],
        "recommendations": [
            {
                "rank": r.rank,
                "code": r.code,
                "message": r.message,
                "source": r.source,
                "in_place_since": r.in_place_since,
            }
            for r in evaluation.recommendations
        ],
        "proposed_triggers": [
            {
                "trigger": p.trigger,
                "reason": p.reason,
                "evidence": list(dict.fromkeys(p.evidence)),
                "evidence_shown": shown_evidence(summary, p.evidence),
            }
            for p in evaluation.proposals
        ],
        "allowed_triggers": list(evaluation.allowed_triggers),
        "transitions": [
            transition_line(t) for t in summary.transitions if t.clinical_on <= summary.as_of
        ],
        "results": results(summary),
        "timeline": [
            {
                "on": e.on,
                "category": e.category,
                "text": e.text,
                "actor": e.actor,
                "entry": e.entry,
                "retracted": e.retracted,
                "code": e.code,
            }
            for e in timeline(summary)
        ],
        "decision_support": "The engine proposes; clinicians decide.",
    }
