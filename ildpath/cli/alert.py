"""`ildpath alert`: the alerts the engine raised, and a clinician's acknowledgement."""

from typing import Annotated

import typer
from rich.table import Table

from ..roles import Permission
from ..usecases import acknowledge_alert
from ..usecases.alerts import list_alerts
from ..usecases.listings import log_listing
from .edge import console, emit_json, open_app, operator, parse_day
from .listing_log import cli_listing
from .patient_view import SEVERITY_STYLE

alert_app = typer.Typer(
    help="Safety and monitoring alerts: list them, acknowledge with a justification.",
    no_args_is_help=True,
)


@alert_app.command("ack")
def ack(
    ctx: typer.Context,
    alert_id: Annotated[int, typer.Argument(help="Alert number (see `ildpath alert list`).")],
    justification: Annotated[
        str, typer.Option(help="Why care continues as it is (kept in the audit trail).")
    ],
) -> None:
    """Acknowledge an alert (clinician role): who, when and why go into the audit trail and
    the reports. An alert is a warning, never a refusal; acknowledging does not hide it."""
    actor = operator(ctx).acting(Permission.ACKNOWLEDGE_ALERT)
    acknowledge_alert(open_app(), alert_id, justification, actor)
    console.print(f"alert {alert_id} acknowledged by {actor.name}")


@alert_app.command("list")
def list_(
    ctx: typer.Context,
    patient_id: Annotated[str | None, typer.Option("--patient", help="One patient.")] = None,
    severity: Annotated[
        list[str] | None, typer.Option(help="info, warning, critical (repeat for several).")
    ] = None,
    unacknowledged: Annotated[
        bool, typer.Option("--unacknowledged", help="Only those not yet acknowledged.")
    ] = False,
    start: Annotated[str | None, typer.Option("--from", help="Raised on or after.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Raised on or before.")] = None,
    holding: Annotated[
        bool, typer.Option("--holding", help="Only alerts that hold today (not cleared).")
    ] = False,
    status: Annotated[
        str,
        typer.Option(
            help="raised (standing alerts), withdrawn (within their recording day; never "
            "counted), or all."
        ),
    ] = "raised",
    closed: Annotated[
        bool, typer.Option("--closed", help="Include closed patients' alerts.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Alerts across the cohort: those that hold first, then cleared ones awaiting their
    acknowledgement; newest first within. Withdrawn alerts only with ``--status withdrawn``."""
    actor = operator(ctx).acting(Permission.READ)
    app = open_app()
    alerts = list_alerts(
        app,
        patient_id=patient_id,
        severities=tuple(severity or ()),
        unacknowledged=unacknowledged,
        raised_from=parse_day("from", start) if start else None,
        raised_to=parse_day("to", end) if end else None,
        holding=holding,
        status=status,
        closed=closed,
    )
    log_listing(app, cli_listing(ctx, actor, "alerts"), (alert.patient_id for alert in alerts))
    if as_json:
        emit_json(alerts)
        return
    table = Table("id", "patient", "raised", "severity", "code", "standing", "acknowledged")
    for alert in alerts:
        style = SEVERITY_STYLE.get(alert.severity, "") if alert.holds else "dim"
        done = f"{alert.acknowledged_by}: {alert.justification}" if alert.acknowledged_at else "no"
        code = f"[strike]{alert.code}[/]" if alert.status == "withdrawn" else alert.code
        table.add_row(
            str(alert.id),
            alert.patient_id,
            str(alert.raised_on),
            f"[{style}]{alert.severity}[/]",
            code,
            alert.standing,
            "not acknowledgeable" if alert.status == "withdrawn" else done,
        )
    console.print(table)
    console.print(f"{len(alerts)} alerts")
