"""States and triggers of the care pathway (CLINICAL_SPEC §2-3) and the one `transitions`
Machine that moves every patient.

The Machine is built once per pathway version and reused (ARCHITECTURE "one machine, many
patients"): a light holder carries the stored state in, the trigger fires, the new state is
read back. Clinical guards live in `rules.guards` and are checked before firing, because the
library does not roll back a state change when a callback fails.
"""

from dataclasses import dataclass
from functools import cache

from transitions import Machine

from .errors import InvalidTransition

__all__ = [
    "NON_TERMINAL_STATES",
    "STATES",
    "TRIGGERS",
    "PatientStateHolder",
    "allowed_triggers",
    "fire",
    "pathway_machine",
    "transition_table",
]

STATES: tuple[str, ...] = (
    "diagnosis",
    "induction",
    "monitoring",
    "progression",
    "salvage",
    "transplant_referral",
    "closed",
)
NON_TERMINAL_STATES: tuple[str, ...] = STATES[:-1]
_REFERRAL_ORIGINS: tuple[str, ...] = (
    "diagnosis",
    "induction",
    "monitoring",
    "progression",
    "salvage",
)

TRIGGERS: dict[str, tuple[tuple[str, ...], str]] = {
    "start_induction": (("diagnosis", "progression"), "induction"),
    "achieve_response": (("induction", "salvage"), "monitoring"),
    "detect_progression": (("monitoring",), "progression"),
    "declare_refractory": (("diagnosis", "induction", "progression"), "salvage"),
    "refer_transplant": (_REFERRAL_ORIGINS, "transplant_referral"),
    "return_from_referral": (("transplant_referral",), "<origin>"),
    "close": (NON_TERMINAL_STATES, "closed"),
}
"""trigger -> (sources, destination); `return_from_referral` goes back where the patient came
from, which the holder carries as `referral_origin`."""


@dataclass
class PatientStateHolder:
    """The light model the Machine moves: just the state, and where a referral came from."""

    state: str
    referral_origin: str | None = None

    def came_from(self, origin: str) -> bool:
        return self.referral_origin == origin


def transition_table() -> list[dict[str, object]]:
    """The Machine's transitions, one row per trigger; `return_from_referral` has one row per
    origin, guarded by the holder's `referral_origin`. The engine and the diagram both use it."""
    rows: list[dict[str, object]] = []
    for trigger, (sources, dest) in TRIGGERS.items():
        if trigger == "return_from_referral":
            rows.extend(
                {
                    "trigger": trigger,
                    "source": "transplant_referral",
                    "dest": origin,
                    "conditions": lambda event, o=origin: event.model.came_from(o),
                }
                for origin in _REFERRAL_ORIGINS
            )
        else:
            rows.append({"trigger": trigger, "source": list(sources), "dest": dest})
    return rows


@cache
def pathway_machine(version: str) -> Machine:
    """The Machine for one pathway version, built once and shared by every patient."""
    return Machine(
        model=None,
        states=list(STATES),
        transitions=transition_table(),
        initial="diagnosis",
        auto_transitions=False,
        send_event=True,
        model_attribute="state",
        name=f"pathway-{version}",
    )


def allowed_triggers(state: str) -> tuple[str, ...]:
    """The triggers allowed from ``state``, in the spec's order (§3)."""
    return tuple(t for t, (sources, _) in TRIGGERS.items() if state in sources)


def fire(version: str, trigger: str, state: str, referral_origin: str | None = None) -> str:
    """The state after ``trigger`` from ``state``; refuses a trigger not allowed from it."""
    if trigger not in allowed_triggers(state):
        raise InvalidTransition(trigger, state, allowed_triggers(state))
    holder = PatientStateHolder(state, referral_origin)
    event = pathway_machine(version).events[trigger]
    if not event.trigger(holder):
        raise InvalidTransition(trigger, state, allowed_triggers(state))
    return holder.state
