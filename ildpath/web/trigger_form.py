"""The patient page's trigger form: the triggers allowed now, the fields each one uses, and
the `TriggerCommand` a posted form makes (§3; the CLI's ``ildpath trigger`` help says the
same)."""

from dataclasses import dataclass
from datetime import date

from starlette.datastructures import FormData

from pathway.catalogue import CLOSING_REASONS, REFERRAL_OUTCOMES
from pathway.machine import TRIGGERS

from ..usecases import TriggerCommand
from .form_values import day, text

__all__ = ["TRIGGER_FIELDS", "TriggerChoice", "trigger_choices", "trigger_command"]

GUARDS = {
    "start_induction": "needs an immunosuppressive agent active on the date; from diagnosis, "
    "the ILD course must be known",
    "achieve_response": "no guard",
    "detect_progression": "needs the alert Progression suspected on the PFTs known on the date, "
    "or a reason (the clinician's assertion)",
    "declare_refractory": "needs a reason (failure to respond, or life-threatening disease)",
    "refer_transplant": "needs a reason",
    "return_from_referral": "needs an outcome",
    "close": "needs a closing reason",
}
"""What each trigger's guard asks for (CLINICAL_SPEC §3), shown beside the form."""

TRIGGER_FIELDS = {
    "reason": tuple(TRIGGERS),
    "outcome": ("return_from_referral",),
    "closing_reason": ("close",),
}
"""Which triggers use each optional field (the script hides the others)."""

OPTIONS = {"outcome": REFERRAL_OUTCOMES, "closing_reason": CLOSING_REASONS}


@dataclass(frozen=True)
class TriggerChoice:
    trigger: str
    destination: str
    guard: str
    proposed: bool


def trigger_choices(
    allowed: tuple[str, ...] | list[str], referral_origin: str | None, proposed: set[str]
) -> list[TriggerChoice]:
    """The triggers allowed now, each with where it leads and what its guard needs."""
    choices = []
    for trigger in allowed:
        destination = TRIGGERS[trigger][1]
        if trigger == "return_from_referral":
            destination = referral_origin or "the state the referral came from"
        choices.append(TriggerChoice(trigger, destination, GUARDS[trigger], trigger in proposed))
    return choices


def trigger_command(form: FormData, today: date) -> TriggerCommand:
    """The trigger as the clinician fired it; fields the trigger does not use are dropped."""
    trigger = text(form, "trigger") or ""

    def used(name: str) -> str | None:
        return text(form, name) if trigger in TRIGGER_FIELDS[name] else None

    return TriggerCommand(
        trigger=trigger,
        on=day(form, "on", today),
        reason=used("reason"),
        outcome=used("outcome"),
        closing_reason=used("closing_reason"),
    )
