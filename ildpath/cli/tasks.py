"""`ildpath tasks`: the care tasks coordinators work through."""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ..bootstrap import bootstrap
from ..usecases.tasks import tasks_calendar

tasks_app = typer.Typer(
    help="Care tasks: PFTs, CMV tests, prophylaxis, referrals.", no_args_is_help=True
)


@tasks_app.command("ical")
def ical(
    out: Annotated[Path, typer.Option("--out", help="Calendar file to write (.ics).")],
) -> None:
    """Write an iCalendar (RFC 5545) file with one all-day event per open task on its due date.
    UIDs are stable, so importing the file again updates the events instead of duplicating."""
    data = tasks_calendar(bootstrap())
    out.write_bytes(data)
    Console(highlight=False).print(f"wrote {data.count(b'BEGIN:VEVENT')} tasks to {out}")
