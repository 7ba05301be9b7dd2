"""`ildpath reminders`: the reminder deliveries that are failing, and re-queueing them once the
cause is fixed (a mail password changed, a receiver back up)."""

from datetime import datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from pathway.errors import InvalidValue

from ..roles import Permission
from ..usecases.listings import log_listing
from ..usecases.reminder_deliveries import (
    DeliveryView,
    list_deliveries,
    retry_deliveries,
    what,
)
from .edge import console, emit_json, open_app, operator
from .listing_log import cli_listing

reminders_app = typer.Typer(
    help="Reminder deliveries: which are failing and why, and re-queueing them.",
    no_args_is_help=True,
)


def _when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC") if at else ""


def next_attempt(view: DeliveryView) -> str:
    """When it is tried next, in words."""
    if view.status == "pending":
        return _when(view.next_attempt_at) or "next dispatch pass"
    if view.status == "failed":
        return "not until re-queued"
    return "given up (re-queue to try again)"


def _plain(view: DeliveryView) -> dict[str, Any]:
    return {
        "key": view.key,
        "channel": view.channel,
        "patient_id": view.patient_id,
        "kind": view.kind,
        "subject": view.subject,
        "what": what(view),
        "status": view.status,
        "attempts": view.attempts,
        "last_error": view.last_error,
        "last_attempt_at": view.last_attempt_at,
        "next_attempt_at": view.next_attempt_at,
        "planned_at": view.created_at,
    }


@reminders_app.command("list")
def list_reminders(
    ctx: typer.Context,
    failed: Annotated[
        bool,
        typer.Option(
            "--failed",
            help="Failing: failed (a person must fix something), expired (given up at the "
            "age limit), or pending after a failed attempt (being retried).",
        ),
    ] = False,
    pending: Annotated[
        bool, typer.Option("--pending", help="Every delivery not sent yet.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Reminder deliveries not sent: failing ones (--failed), waiting ones (--pending), or
    both (neither option), critical notices first, each with its last error."""
    actor = operator(ctx).acting(Permission.MANAGE_REMINDERS)
    app = open_app()
    views = list_deliveries(app, failing=failed or not pending, waiting=pending or not failed)
    log_listing(app, cli_listing(ctx, actor, "reminders"), (v.patient_id for v in views))
    if as_json:
        emit_json([_plain(view) for view in views])
        return
    table = Table()
    # a key is copied into `reminders retry`: whole on one line; an error names a URL: folded
    table.add_column("key", no_wrap=True, min_width=max((len(v.key) for v in views), default=3))
    for header in ("channel", "patient", "what", "status", "attempts", "last error"):
        table.add_column(header, overflow="fold")
    table.add_column("next attempt")
    for view in views:
        table.add_row(
            view.key,
            view.channel,
            view.patient_id,
            what(view),
            view.status,
            str(view.attempts),
            view.last_error or "",
            next_attempt(view),
        )
    console.print(table)
    console.print(
        f"{len(views)} deliveries."
        + (" Re-queue: ildpath reminders retry KEY ... or --all-failed." if views else "")
    )


@reminders_app.command("retry")
def retry(
    ctx: typer.Context,
    keys: Annotated[
        list[str] | None,
        typer.Argument(help="Keys of deliveries to re-queue, as `reminders list` shows them."),
    ] = None,
    all_failed: Annotated[
        bool, typer.Option("--all-failed", help="Re-queue every failing delivery.")
    ] = False,
) -> None:
    """Re-queue deliveries once their cause is fixed: due at the next dispatch pass, with a
    fresh age limit. An unknown key (or one already sent or cancelled) re-queues nothing."""
    actor = operator(ctx).acting(Permission.MANAGE_REMINDERS)
    if keys and all_failed:
        raise InvalidValue("--all-failed", "with keys", "keys, or --all-failed, not both")
    if not keys and not all_failed:
        raise InvalidValue(
            "key",
            "",
            "one or more delivery keys (ildpath reminders list --failed), or --all-failed",
        )
    done = retry_deliveries(open_app(), keys or [], actor, all_failing=all_failed)
    for view in done:
        console.print(f"re-queued {view.key} ({what(view)}, was {view.status})", markup=False)
    console.print(f"{len(done)} deliveries re-queued: sent at the next dispatch pass.")
