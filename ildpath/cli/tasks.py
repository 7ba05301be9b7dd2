"""`ildpath tasks`: the care tasks coordinators work through, and their calendar."""

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pathway.errors import InvalidValue

from ..roles import Permission
from ..usecases.task_actions import (
    DONE_HOW,
    assign_task,
    decline_task,
    reschedule_task,
    task_id_of,
)
from ..usecases.tasks import WORKLIST_DAYS, tasks_calendar, tasks_due
from .edge import console, emit_json, open_app, operator, parse_day
from .outcome_lines import print_outcome

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
    table = Table("id", "due", "patient", "task", "status", "assigned", "source")
    for task in tasks:
        status = f"[bold red]overdue {task.days_overdue} d[/]" if task.overdue else "due"
        due = str(task.due_on)
        if task.rescheduled:
            due += f" (rescheduled; engine {task.engine_due_on})"
        table.add_row(
            str(task.id),
            due,
            task.patient_id,
            task.kind,
            status,
            task.assignee or "",
            task.source,
        )
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


TaskArgument = Annotated[str, typer.Argument(help="The task's id, as the worklist shows it.")]
Reason = Annotated[str, typer.Option("--reason", help="Why (required; kept in the audit trail).")]


@tasks_app.command("decline")
def decline(ctx: typer.Context, task: TaskArgument, reason: Reason) -> None:
    """Decline a task with a reason (declined by the patient, contraindicated, given elsewhere
    with no date known): vaccinations, pulmonary rehabilitation, bone protection and PJP
    prophylaxis. It closes as declined and is not reopened by the event that opened it."""
    actor = operator(ctx).acting(Permission.MANAGE_TASKS)
    print_outcome(decline_task(open_app(), task_id_of(task), reason, actor))


@tasks_app.command("reschedule")
def reschedule(
    ctx: typer.Context,
    task: TaskArgument,
    due: Annotated[str, typer.Option("--due", help="The new due date, YYYY-MM-DD.")],
    reason: Reason,
) -> None:
    """Move a task's due date, with a reason: overdue counts from the new date; the engine's
    date stays beside it."""
    actor = operator(ctx).acting(Permission.MANAGE_TASKS)
    app = open_app()
    new_due = parse_day("due", due, app.clock.today())
    outcome = reschedule_task(app, task_id_of(task), new_due, reason, actor)
    console.print(f"task {task_id_of(task)} rescheduled to {new_due}")
    print_outcome(outcome)


@tasks_app.command("assign")
def assign(
    ctx: typer.Context,
    task: TaskArgument,
    user: Annotated[str, typer.Option("--to", help="The username of an active account.")],
    reason: Annotated[str | None, typer.Option("--reason", help="Why (optional).")] = None,
) -> None:
    """Assign a task to a user: its reminders go to them where a channel can reach them
    (email to their address; otherwise the clinic's list)."""
    actor = operator(ctx).acting(Permission.MANAGE_TASKS)
    outcome = assign_task(open_app(), task_id_of(task), user, actor, reason=reason)
    console.print(f"task {task_id_of(task)} assigned to {user}", markup=False)
    print_outcome(outcome)


@tasks_app.command("done")
def done(ctx: typer.Context, task: TaskArgument) -> None:
    """Not an action: a task is done by recording what closes it (see `ildpath record`)."""
    operator(ctx).acting(Permission.MANAGE_TASKS)
    raise InvalidValue("task", task, DONE_HOW)
