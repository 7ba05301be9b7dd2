"""Fire a trigger of the pathway: a person moves the patient, the engine only checks (§3)."""

from dataclasses import dataclass, field

from pathway.chart import Chart
from pathway.errors import GuardFailed, InvalidValue
from pathway.machine import fire
from pathway.rules.guards import TriggerRequest, guard_failures
from pathway.rules.progression import progression_suspected
from persistence.tables import TransitionRow

from ..bootstrap import App
from .evaluation import apply_evaluation
from .work import Actor, PatientWork, check_version, find_patient

__all__ = ["TriggerCommand", "fire_trigger"]


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
    with app.transaction() as session:
        work = PatientWork(app, session, find_patient(session, external_id), actor)
        patient = work.patient
        check_version(patient, expected_version)
        chart = Chart(work.record, app.definition)
        new_state = fire(
            app.definition.version, command.trigger, patient.state, chart.course.referral_origin
        )
        work.check_date("on", command.on)
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
        row = work.add(
            TransitionRow(
                trigger=command.trigger,
                from_state=patient.state,
                to_state=new_state,
                role=actor.role,
                reason=command.reason,
                outcome=command.outcome,
                closing_reason=command.closing_reason,
                evidence=_evidence(chart, command),
                pathway_version=app.definition.version,
                **work.entry_columns(command.on),
            )
        )
        _move(work, command, new_state)
        work.audit(
            "transition_fired",
            {
                "transition_id": row.id,
                "trigger": command.trigger,
                "from": row.from_state,
                "to": new_state,
                "reason": command.reason,
                "outcome": command.outcome,
                "closing_reason": command.closing_reason,
                "evidence": row.evidence,
            },
            clinical_on=command.on,
        )
        apply_evaluation(work)
        return new_state


def _move(work: PatientWork, command: TriggerCommand, new_state: str) -> None:
    patient = work.patient
    if command.trigger == "refer_transplant":
        patient.referral_origin = patient.state
    elif command.trigger == "return_from_referral":
        patient.referral_origin = None
    if command.trigger == "close":
        patient.closing_reason = command.closing_reason
    patient.state, patient.state_since = new_state, command.on
    work.session.add(patient)
