"""`ildpath tasks`: the care tasks coordinators work through, and their calendar."""

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..roles import Permission
from ..usecases.tasks import WORKLIST_DAYS, tasks_calendar, tasks_due
from .edge import console, emit_json, open_app, operator, parse_day

tasks_app = typer.Typer(
    help="Care tasks: PFTs, CMV tests, prophylaxis, referrals. Without a subcommand: the "
    "worklist of tasks due or overdue.",
    invoke_without_command=True,
)


@tasks_app.callback()
def worklist(
    ctx: typer.Context,
    start: Annotated[
        str | None, typer.Option("--from", help="Due on or after (default: today).")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Due on or before (default: 14 days after --from).")
    ] = None,
    kind: Annotated[
        list[str] | None, typer.Option(help="Only this task kind (repeat for several).")
    ] = None,
    patient_id: Annotated[str | None, typer.Option("--patient", help="One patient.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Open tasks due in the date range, and every task already overdue, soonest first."""
    if ctx.invoked_subcommand is not None:
        return
    operator(ctx).acting(Permission.READ)
    app = open_app()
    today = app.clock.today()
    first = parse_day("from", start, today)
    last = parse_day("to", end, first + timedelta(days=WORKLIST_DAYS))
    tasks = tasks_due(app, first, last, kinds=tuple(kind or ()), patient_id=patient_id)
    if as_json:
        emit_json([{**t.__dict__, "overdue": t.overdue} for t in tasks])
        return
    table = Table("due", "patient", "task", "status", "source")
    for task in tasks:
        status = f"[bold red]overdue {task.days_overdue} d[/]" if task.overdue else "due"
        table.add_row(str(task.due_on), task.patient_id, task.kind, status, task.source)
    console.print(table)
    overdue = sum(t.overdue for t in tasks)
    console.print(f"{len(tasks)} tasks ({overdue} overdue) due by {last}")


@tasks_app.command("ical")
def ical(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="Calendar file to write (.ics).")],
) -> None:
    """Write an iCalendar (RFC 5545) file with one all-day event per open task on its due date.
    UIDs are stable, so importing the file again updates the events instead of duplicating."""
    operator(ctx).acting(Permission.READ)
    data = tasks_calendar(open_app())
    out.write_bytes(data)
    console.print(f"wrote {data.count(b'BEGIN:VEVENT')} tasks to {out}")
