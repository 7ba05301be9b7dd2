"""`ildpath cohort`: the coordinator's board of every patient, soonest due first."""

from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table

from ..roles import Permission
from ..usecases.cohort import CohortEntry, CohortFilter, list_cohort
from .edge import console, emit_json, open_app, operator, parse_day
from .patient_view import SEVERITY_STYLE


def _alerts_text(entry: CohortEntry) -> str:
    """Unacknowledged alerts that hold (in the severity's colour), then cleared ones (§7a)."""
    parts = []
    for severity in ("critical", "warning", "info"):
        count = entry.holding_alerts.get(severity, 0)
        if count:
            parts.append(f"[{SEVERITY_STYLE[severity]}]{count} {severity}[/]")
    for severity in ("critical", "warning", "info"):
        count = entry.cleared_alerts.get(severity, 0)
        if count:
            parts.append(f"[dim]{count} {severity} cleared[/]")
    return ", ".join(parts)


def cohort(
    ctx: typer.Context,
    state: Annotated[
        list[str] | None,
        typer.Option(
            help="diagnosis, induction, monitoring, progression, salvage, "
            "transplant_referral, closed (repeat for several)."
        ),
    ] = None,
    phenotype: Annotated[
        str | None,
        typer.Option(
            help="A (anti-MDA5 positive), B (non-progressive), C (progressive or RP-ILD), "
            "unclassified."
        ),
    ] = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only patients with an overdue task.")
    ] = False,
    alert_severity: Annotated[
        str | None,
        typer.Option(
            help="Only patients with an unacknowledged alert of this severity or higher: "
            "info, warning, critical."
        ),
    ] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Day (default: today).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every patient with state, phenotype, next task due, overdue tasks and unacknowledged
    alerts, sorted by next due date."""
    operator(ctx).acting(Permission.READ)
    app = open_app()
    wanted = CohortFilter(tuple(state or ()), phenotype, overdue, alert_severity)
    entries = list_cohort(app, wanted, parse_day("as_of", as_of, app.clock.today()))
    if as_json:
        emit_json([{**asdict(e), "highest_severity": e.highest_severity} for e in entries])
        return
    table = Table(pad_edge=False)
    for column in ("patient", "state", "since", "ph."):
        table.add_column(column, no_wrap=column != "state")
    table.add_column("next task", overflow="fold")
    table.add_column("due", no_wrap=True)
    table.add_column("late", justify="right", min_width=4)
    table.add_column("open alerts", min_width=11)
    for entry in entries:
        late = f"[bold red]{entry.overdue_tasks}[/]" if entry.overdue_tasks else ""
        table.add_row(
            entry.patient_id,
            entry.state,
            str(entry.state_since),
            entry.phenotype,
            entry.next_task or "",
            str(entry.next_due_on or ""),
            late,
            _alerts_text(entry),
        )
    console.print(table)
    console.print(
        f"{len(entries)} patients. [dim]Decision support: the engine proposes, "
        "clinicians decide.[/]"
    )
