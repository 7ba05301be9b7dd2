"""`ildpath audit verify`: is every patient's audit chain intact?"""

import typer
from rich.console import Console

from ..bootstrap import bootstrap
from ..usecases.audit import verify_audit

audit_app = typer.Typer(help="The audit trail of every change.", no_args_is_help=True)


@audit_app.command("verify")
def verify() -> None:
    """Check every patient's hash-chained audit trail; name the first broken event of each
    patient whose chain is not intact (exit 1), or say all are intact (exit 0)."""
    console = Console(highlight=False, soft_wrap=True)
    report = verify_audit(bootstrap())
    for found in report.breaks:
        console.print(
            f"[bold red]BROKEN[/] patient {found.external_id}: event {found.seq}"
            f"{'' if found.event_id is None else f' (row {found.event_id})'}: "
            f"{found.problem}"
        )
    if report.breaks:
        console.print(
            f"{len(report.breaks)} of {report.patients} patients have a broken audit chain"
        )
        raise typer.Exit(1)
    console.print(
        f"[green]Audit trail intact[/] for all {report.patients} patients ({report.events} events, "
        f"{report.views} record views)"
    )
