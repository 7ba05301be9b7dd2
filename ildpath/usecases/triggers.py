"""Fire a trigger of the pathway: a person moves the patient, the engine only checks (§3)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pathway.chart import Chart
from pathway.errors import GuardFailed, InvalidValue
from pathway.machine import fire
from pathway.rules.guards import TriggerRequest, guard_failures
from pathway.rules.progression import progression_suspected
from persistence.tables import TransitionRow

from ..bootstrap import App
from .evaluation import apply_evaluation
from .work import Actor, PatientWork, check_version

__all__ = ["TriggerCommand", "fire_trigger", "judge_trigger", "moved", "transition_payload"]


@dataclass(frozen=True)
class TriggerCommand(TriggerRequest):
    """A trigger as a person fires it: the request, plus the observations they cite."""

    evidence: tuple[str, ...] = field(default=())


def _evidence(chart: Chart, command: TriggerCommand) -> list[str]:
    """The observations behind a transition: those given, plus the PFTs that show
    progression for `detect_progression`."""
    evidence = list(command.evidence)
    if command.trigger == "detect_progression":
        found = progression_suspected(chart, command.on)
        if found is not None:
            evidence += [found.latest.id, *(o.id for o in found.compared_with)]
    return list(dict.fromkeys(evidence))


def fire_trigger(
    app: App,
    external_id: str,
    command: TriggerCommand,
    actor: Actor,
    *,
    expected_version: int | None = None,
) -> str:
    """Move the patient if the trigger is allowed from the current state and its guard holds;
    otherwise refuse, naming the state and allowed triggers, or what is missing."""
    with app.transaction() as session, PatientWork.of(app, session, external_id, actor) as work:
        patient = work.patient
        check_version(patient, expected_version)
        chart = Chart(work.record, app.definition)
        new_state, evidence = judge_trigger(
            chart, command, patient.state, patient.referral_origin, work.check_date
        )
        row = work.add(
            TransitionRow(
                trigger=command.trigger,
                from_state=patient.state,
                to_state=new_state,
                role=actor.role,
                reason=command.reason,
                outcome=command.outcome,
                closing_reason=command.closing_reason,
                evidence=evidence,
                pathway_version=app.definition.version,
                **work.entry_columns(command.on),
            )
        )
        for name, value in moved(command, patient.state, new_state).items():
            setattr(patient, name, value)
        work.audit("transition_fired", transition_payload(row.id, row), clinical_on=command.on)
        apply_evaluation(work)
        return new_state


def judge_trigger(
    chart: Chart,
    command: TriggerCommand,
    state: str,
    referral_origin: str | None,
    check_date: Callable[[str, date], date],
) -> tuple[str, list[str]]:
    """The state ``command`` moves to and its evidence, or the refusal: a trigger not allowed
    from ``state``, a date before the last transition, or a guard that does not hold."""
    new_state = fire(chart.definition.version, command.trigger, state, referral_origin)
    check_date("on", command.on)
    last = chart.course.transitions[-1].on if chart.course.transitions else None
    if last is not None and command.on < last:
        raise InvalidValue(
            "on",
            command.on.isoformat(),
            f"a date on or after the last transition ({last.isoformat()})",
        )
    missing = guard_failures(chart, command)
    if missing:
        raise GuardFailed(command.trigger, missing)
    return new_state, _evidence(chart, command)


def transition_payload(transition_id: int | None, row: Any) -> dict[str, Any]:
    """The audit payload of a fired trigger (``row``: the transition's columns)."""
    return {
        "transition_id": transition_id,
        "trigger": row.trigger,
        "from": row.from_state,
        "to": row.to_state,
        "reason": row.reason,
        "outcome": row.outcome,
        "closing_reason": row.closing_reason,
        "evidence": row.evidence,
    }


def moved(command: TriggerCommand, state: str, new_state: str) -> dict[str, Any]:
    """The patient columns a fired trigger changes."""
    fields: dict[str, Any] = {"state": new_state, "state_since": command.on}
    if command.trigger == "refer_transplant":
        fields["referral_origin"] = state
    elif command.trigger == "return_from_referral":
        fields["referral_origin"] = None
    if command.trigger == "close":
        fields["closing_reason"] = command.closing_reason
    return fields
