"""`ildpath tasks`: the care tasks coordinators work through, and their calendar."""

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pathway.errors import InvalidValue
from pathway.labels import label

from ..roles import Permission
from ..usecases.cohort_query import DUE_WINDOWS, PAGE_SIZE
from ..usecases.listings import Listing, log_listing
from ..usecases.task_actions import assign_task, decline_task, reschedule_task, task_id_of
from ..usecases.task_done import complete_task
from ..usecases.tasks import tasks_calendar
from ..usecases.worklist import TASK_SORTS, TaskQuery, default_end, find_tasks
from .edge import console, emit_json, open_app, operator, parse_day
from .listing_log import cli_listing
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
    search: Annotated[
        str | None, typer.Option("--search", "-q", help="Patient id, whole or its beginning.")
    ] = None,
    due: Annotated[
        str | None,
        typer.Option(help="Only tasks " + "; ".join(DUE_WINDOWS).replace("a task ", "") + "."),
    ] = None,
    assignee: Annotated[
        str | None, typer.Option(help="Only tasks assigned to this username ('me': you).")
    ] = None,
    sort: Annotated[
        str, typer.Option(help=", ".join(TASK_SORTS) + "; a leading - reverses.")
    ] = "due",
    page: Annotated[int, typer.Option(min=1, help="Page to show.")] = 1,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="Tasks a page.")] = PAGE_SIZE,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Open tasks due in the date range, and every task already overdue, soonest first."""
    if ctx.invoked_subcommand is not None:
        return
    actor = operator(ctx).acting(Permission.READ)
    app = open_app()
    today = app.clock.today()
    first = parse_day("from", start, today)
    last = parse_day("to", end, default_end(first))
    query = TaskQuery(
        first,
        last,
        kinds=tuple(kind or ()),
        patient_id=patient_id,
        search=search,
        assignee=actor.name if assignee == "me" else assignee,
        due=due,
        sort=sort,
    )
    found = find_tasks(app, query, offset=(page - 1) * limit, limit=limit)
    tasks = found.tasks
    log_listing(app, cli_listing(ctx, actor, "tasks"), (task.patient_id for task in tasks))
    if as_json:
        emit_json([{**t.__dict__, "overdue": t.overdue} for t in tasks])
        return
    table = Table("id", "due", "patient", "task", "status", "assigned", "source")
    for task in tasks:
        status = f"[bold red]overdue {task.days_overdue} d[/]" if task.overdue else "due"
        due_text = str(task.due_on)
        if task.rescheduled:
            due_text += f" (rescheduled; engine {task.engine_due_on})"
        table.add_row(
            str(task.id),
            due_text,
            task.patient_id,
            f"{label(task.kind, 'task')} ({task.kind})",
            status,
            task.assignee or "",
            task.source,
        )
    console.print(table)
    more = f" Next: --page {found.page + 1}." if found.next_offset is not None else ""
    console.print(
        f"{found.total} tasks ({found.overdue} overdue), page {found.page} of {found.pages}.{more}"
    )


@tasks_app.command("ical")
def ical(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="Calendar file to write (.ics).")],
) -> None:
    """Write an iCalendar (RFC 5545) file with one all-day event per open task on its due date.
    UIDs are stable, so importing the file again updates the events instead of duplicating."""
    actor = operator(ctx).acting(Permission.READ)
    data = tasks_calendar(open_app(), Listing(actor, "cli", "tasks calendar"))
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


def _values(pairs: list[str] | None) -> dict[str, object]:
    """``name=value`` pairs; numbers read as numbers."""
    values: dict[str, object] = {}
    for pair in pairs or ():
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise InvalidValue("set", pair, "name=value, e.g. fvc_pct=72")
        try:
            values[name.strip()] = float(value) if value.strip() else None
        except ValueError:
            values[name.strip()] = value.strip()
    return values


@tasks_app.command("done")
def done(
    ctx: typer.Context,
    task: TaskArgument,
    on: Annotated[str | None, typer.Option("--on", help="Clinical date (default today).")] = None,
    values: Annotated[
        list[str] | None,
        typer.Option(
            "--set", help="A value of the entry, name=value (repeat): fvc_pct=72, iu_per_ml=0 …"
        ),
    ] = None,
) -> None:
    """Done: record the entry that closes the task (§8: never a bare tick): a PFT with
    --set fvc_pct=…, a CMV result with --set iu_per_ml=…, the vaccine or agent on its own."""
    actor = operator(ctx).acting(Permission.RECORD)
    app = open_app()
    task_id = task_id_of(task)
    day = parse_day("on", on, app.clock.today())
    finished = complete_task(app, task_id, day, _values(values), actor)
    entry = finished.entry
    print_outcome(finished.outcome)
    if finished.closed:
        console.print(f"task {task_id} done: closed by the {entry.event} recorded")
    else:
        console.print(
            f"[bold]task {task_id} is still open[/]: the {entry.event} was recorded, but the "
            "pathway does not count it as closing this task (check its date)"
        )
