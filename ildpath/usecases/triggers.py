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
from pathway.validation import check_text
from persistence.changes import Actor, Audit, NewEntry

from ..bootstrap import App
from .entries import Decision, EntryContext, record_entry
from .outcome import Outcome

__all__ = ["FireTrigger", "TriggerCommand", "fire_trigger", "judge_trigger"]


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


def judge_trigger(
    chart: Chart,
    command: TriggerCommand,
    state: str,
    referral_origin: str | None,
    check_date: Callable[[str, date], date],
) -> tuple[str, list[str]]:
    """The state ``command`` moves to and its evidence, or the refusal: a trigger not allowed
    from ``state``, a date before the last transition, or a guard that does not hold."""
    for name in ("reason", "outcome", "closing_reason"):
        value = getattr(command, name)
        if value is not None:
            check_text(name, value)
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


def _moved(command: TriggerCommand, state: str, new_state: str) -> dict[str, Any]:
    """The patient columns a fired trigger changes."""
    fields: dict[str, Any] = {"state": new_state, "state_since": command.on}
    if command.trigger == "refer_transplant":
        fields["referral_origin"] = state
    elif command.trigger == "return_from_referral":
        fields["referral_origin"] = None
    if command.trigger == "close":
        fields["closing_reason"] = command.closing_reason
    return fields


@dataclass(frozen=True)
class FireTrigger:
    """The entry a fired trigger writes: the transition, audited with who, when, why and
    the evidence, and the patient's new state."""

    command: TriggerCommand

    @property
    def on(self) -> date:
        return self.command.on

    def decide(self, context: EntryContext) -> Decision:
        command, patient = self.command, context.patient
        chart = Chart(context.record.corrected(), context.definition)
        new_state, evidence = judge_trigger(
            chart, command, patient.state, patient.referral_origin, context.check_date
        )
        actor = context.actor
        values = {
            "trigger": command.trigger,
            "from_state": patient.state,
            "to_state": new_state,
            "role": actor.role,
            "reason": command.reason,
            "outcome": command.outcome,
            "closing_reason": command.closing_reason,
            "evidence": evidence,
            "pathway_version": context.definition.version,
        }
        payload = {
            "trigger": command.trigger,
            "from": patient.state,
            "to": new_state,
            "reason": command.reason,
            "outcome": command.outcome,
            "closing_reason": command.closing_reason,
            "evidence": evidence,
        }
        audit = Audit("transition_fired", payload, command.on, actor, id_key="transition_id")
        entry = NewEntry("transitions", command.on, values, actor, audit)
        return Decision((entry,), _moved(command, patient.state, new_state))


def fire_trigger(
    app: App,
    external_id: str,
    command: TriggerCommand,
    actor: Actor,
    *,
    expected_version: int | None = None,
) -> Outcome:
    """Move the patient if the trigger is allowed from the current state and its guard holds;
    otherwise refuse, naming the state and allowed triggers, or what is missing (a closed
    patient is refused by the state machine itself: `closed` allows no trigger)."""
    return record_entry(
        app,
        external_id,
        FireTrigger(command),
        actor,
        expected_version=expected_version,
        closed_refused=False,
    )
