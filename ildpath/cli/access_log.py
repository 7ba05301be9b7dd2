"""`ildpath audit views PATIENT`: who saw the patient, alone or in a listing, and when."""

from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table

from ..roles import Permission
from ..usecases.access_history import access_history
from .edge import console, emit_json, open_app, operator

__all__ = ["views"]


def views(
    ctx: typer.Context,
    patient_id: Annotated[str, typer.Argument(help="Patient id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every time the patient was shown, oldest first: their record, report or export
    (``record``), and every listing that named them (``listing``: the board, the worklist,
    alerts, calendars, cohort reports and exports), with who, through what and how they
    asked. For auditors and admins; this reading is logged too."""
    actor = operator(ctx).acting(Permission.SEE_ACCESS_LOG)
    found = access_history(open_app(), patient_id, actor, via="cli")
    if as_json:
        emit_json([asdict(access) for access in found])
        return
    table = Table("when", "who", "role", "via", "what", "shown")
    table.columns[0].no_wrap = True  # a time cut short is no time
    for access in found:
        shown = "alone" if access.kind == "record" else _with_others(access.patients - 1)
        what = f"{access.what} ({access.query})" if access.query else access.what
        table.add_row(
            access.at.isoformat(timespec="seconds"),
            access.actor,
            access.role,
            access.via,
            what,
            shown,
        )
    console.print(table, markup=False)
    times = "access" if len(found) == 1 else "accesses"
    console.print(f"{len(found)} {times} to {patient_id}.", markup=False)


def _with_others(others: int) -> str:
    if others == 0:
        return "alone in the listing"
    return f"with {others} other{'s' * (others != 1)}"
