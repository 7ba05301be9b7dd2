"""`ildpath trigger`: a clinician moves a patient along the pathway (§3)."""

from typing import Annotated

import typer

from pathway.machine import TRIGGERS

from ..roles import Permission
from ..usecases import TriggerCommand, fire_trigger
from .edge import console, open_app, operator, parse_day
from .outcome_lines import print_outcome


def trigger(
    ctx: typer.Context,
    patient_id: Annotated[str, typer.Argument(help="Patient id.")],
    name: Annotated[str, typer.Argument(help=", ".join(TRIGGERS) + ".")],
    reason: Annotated[
        str | None,
        typer.Option(
            help="Why (required for declare_refractory, refer_transplant, and "
            "detect_progression without a PFT decline)."
        ),
    ] = None,
    outcome: Annotated[
        str | None,
        typer.Option(
            help="return_from_referral: declined, not_eligible, listed_continue_treatment."
        ),
    ] = None,
    closing_reason: Annotated[
        str | None,
        typer.Option(help="close: deceased, transferred, transplanted, lost_to_follow_up."),
    ] = None,
    evidence: Annotated[
        list[str] | None, typer.Option("--evidence", help="Observation ids cited (repeat).")
    ] = None,
    on: Annotated[
        str | None, typer.Option("--on", help="Effective date YYYY-MM-DD (default: today).")
    ] = None,
) -> None:
    """Fire a pathway trigger (clinician role). Refused, with nothing written, when the
    trigger is not allowed from the patient's state or its guard does not hold."""
    actor = operator(ctx).acting(Permission.FIRE_TRIGGER)
    app = open_app()
    command = TriggerCommand(
        trigger=name,
        on=parse_day("on", on, app.clock.today()),
        reason=reason,
        outcome=outcome,
        closing_reason=closing_reason,
        evidence=tuple(evidence or ()),
    )
    fired = fire_trigger(app, patient_id, command, actor)
    console.print(f"{patient_id}: {name} on {command.on} -> state [bold]{fired.state}[/]")
    print_outcome(fired)
