"""`ildpath cohort`: the coordinator's working list of patients, the most urgent first: the
same query, filters and order as the board and `/api/patients`."""

from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table

from pathway.labels import label

from ..roles import Permission
from ..usecases.cohort import CohortEntry, CohortQuery, find_patients
from ..usecases.cohort_query import COHORT_SORTS, DUE_WINDOWS, PAGE_SIZE
from ..usecases.listings import log_listing
from .edge import console, emit_json, open_app, operator, parse_day
from .listing_log import cli_listing
from .patient_view import SEVERITY_STYLE

__all__ = ["cohort"]


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


def _tasks_text(entry: CohortEntry) -> str:
    """Every open task by kind, the most overdue first."""
    parts = []
    for tally in entry.tasks_by_kind:
        many = f" x{tally.count}" if tally.count > 1 else ""
        when = (
            f"[bold red]{tally.days_overdue} d late[/]"
            if tally.days_overdue
            else f"due {tally.due_on}"
        )
        parts.append(f"{label(tally.kind, 'task')}{many} {when}")
    return "; ".join(parts)


def cohort(
    ctx: typer.Context,
    search: Annotated[
        str | None,
        typer.Option("--search", "-q", help="A patient id, whole or its beginning (any case)."),
    ] = None,
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
    task_kind: Annotated[
        str | None, typer.Option("--task-kind", help="Patients with an open task of this kind.")
    ] = None,
    due: Annotated[
        str | None, typer.Option(help="Patients with " + "; ".join(DUE_WINDOWS) + ".")
    ] = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only patients with an overdue task (--due overdue).")
    ] = False,
    assignee: Annotated[
        str | None, typer.Option(help="Patients with an open task assigned to this username.")
    ] = None,
    alerts: Annotated[
        str | None,
        typer.Option(help="holding or cleared: patients with such an unacknowledged alert."),
    ] = None,
    alert_severity: Annotated[
        str | None,
        typer.Option(
            help="Only patients with an unacknowledged alert of this severity or higher: "
            "info, warning, critical."
        ),
    ] = None,
    closed: Annotated[
        bool, typer.Option("--closed", help="List closed patients too (they rank last).")
    ] = False,
    needs_completion: Annotated[
        bool,
        typer.Option(
            "--needs-completion",
            help="Only patients whose ILD course or anti-MDA5 status is still unknown "
            "(e.g. imported from an EHR that could not tell it).",
        ),
    ] = False,
    sort: Annotated[
        str, typer.Option(help=", ".join(COHORT_SORTS) + "; a leading - reverses.")
    ] = "urgency",
    page: Annotated[int, typer.Option(min=1, help="Page to show.")] = 1,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="Patients a page.")] = PAGE_SIZE,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Day (default: today).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The patients matching the filters, the most urgent first: holding critical alerts,
    holding warnings, overdue tasks, cleared alerts awaiting acknowledgement, the soonest due."""
    actor = operator(ctx).acting(Permission.READ)
    app = open_app()
    query = CohortQuery(
        search=search,
        states=tuple(state or ()),
        phenotype=phenotype,
        task_kind=task_kind,
        due=due or ("overdue" if overdue else None),
        assignee=assignee,
        alerts=alerts,
        alert_severity=alert_severity,
        sort=sort,
        include_closed=closed,
        needs_completion=needs_completion,
    ).check()
    day = parse_day("as_of", as_of, app.clock.today())
    found = find_patients(app, query, offset=(page - 1) * limit, limit=limit, as_of=day)
    log_listing(app, cli_listing(ctx, actor, "cohort"), (e.patient_id for e in found.entries))
    if as_json:
        emit_json(
            {
                "count": found.total,
                "page": found.page,
                "pages": found.pages,
                "patients": [
                    {**asdict(e), "highest_severity": e.highest_severity} for e in found.entries
                ],
            }
        )
        return
    table = Table(pad_edge=False)
    for column in ("patient", "state", "since", "ph."):
        table.add_column(column, no_wrap=column != "state")
    table.add_column("open tasks", overflow="fold")
    table.add_column("late", justify="right", min_width=4)
    table.add_column("open alerts", min_width=11)
    for entry in found.entries:
        late = f"[bold red]{entry.overdue_tasks}[/]" if entry.overdue_tasks else ""
        table.add_row(
            entry.patient_id,
            label(entry.state, "state"),
            str(entry.state_since),
            entry.phenotype,
            _tasks_text(entry),
            late,
            _alerts_text(entry),
        )
    console.print(table)
    more = f" Next: --page {found.page + 1}." if found.next_offset is not None else ""
    work = found.work
    console.print(
        f"{found.total} patients, page {found.page} of {found.pages}.{more} Tasks: "
        f"{work.overdue} overdue, {work.today} due today, {work.week} due in the next 7 days. "
        "[dim]Decision support: the engine proposes, clinicians decide.[/]"
    )
