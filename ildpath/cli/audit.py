"""`ildpath audit verify`: is the audit trail intact, and does the record match it?"""

import json

import typer
from rich.console import Console

from persistence.audit_key import rotate_key

from ..bootstrap import bootstrap
from ..settings import Settings
from ..usecases.audit import verify_audit
from .access_log import views
from .audit_checkpoint import checkpoint

audit_app = typer.Typer(help="The audit trail of every change.", no_args_is_help=True)


@audit_app.command("verify")
def verify(
    as_json: bool = typer.Option(
        False, "--json", help="Print the report as JSON (for monitoring), not as text."
    ),
) -> None:
    """Check every chain (each patient's audit trail, the access log of single views and of
    listings, the accounts chain)
    with the audit key, rebuild the clinical tables from the trail and compare, and compare the
    heads with the latest checkpoint. Names every finding (exit 1), or says all is intact
    (exit 0)."""
    report = verify_audit(bootstrap())
    if as_json:
        typer.echo(json.dumps(report.as_json(), indent=1))
        raise typer.Exit(0 if report.intact else 1)
    console = Console(highlight=False, soft_wrap=True)
    for found in report.findings:
        console.print(f"[bold red]FOUND[/] {found.line()}", markup=True)
    for note in report.notes:
        console.print(f"note: {note}")
    if report.checkpoint:
        console.print(
            f"compared with the checkpoint of {report.checkpoint['taken_at']} "
            f"({report.checkpoint['chains']} chains) in {report.checkpoint['path']}"
        )
    summary = (
        f"{report.patients} patients, {report.events} audit events, {report.rows} rows checked "
        f"against them, {report.views} record views, {report.listings} listings shown, "
        f"{report.account_events} account events "
        f"in {report.seconds:.1f} s"
    )
    if report.findings:
        console.print(
            f"[bold red]Audit trail NOT intact[/]: {len(report.findings)} findings ({summary})"
        )
        raise typer.Exit(1)
    console.print(f"[green]Audit trail intact[/]: {summary}")


audit_app.command("checkpoint")(checkpoint)
audit_app.command("views")(views)


@audit_app.command("rotate-key")
def rotate() -> None:
    """Make a new audit key the one that signs from now on; the old keys stay in the key file
    to verify what they signed (never delete them)."""
    settings = Settings()
    keyring = rotate_key(settings.audit_key_file)
    console = Console(highlight=False, soft_wrap=True)
    console.print(
        f"audit key {keyring.current} now signs new events ({len(keyring.keys)} keys in "
        f"{keyring.path}); keep a copy of this file off the database's host"
    )
