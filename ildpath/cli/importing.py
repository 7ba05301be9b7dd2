"""`ildpath import`: bring a cohort in from spreadsheets or another tracker, one patient with
their history per NDJSON line (docs/bulk-import.md).

The whole file is checked first (a bad line writes nothing and is named with its field and
the allowed values), then written a batch of patients at a time and judged once as of today.
Running it again after an interruption finishes it: patients already present are skipped.
"""

from pathlib import Path
from typing import Annotated

import typer

from pathway.errors import InvalidValue

from ..roles import Permission
from ..usecases.bulk_import import import_histories
from .edge import console, open_app, operator


def import_cohort(
    ctx: typer.Context,
    histories: Annotated[
        Path, typer.Argument(help="NDJSON file: one patient with their events per line.")
    ],
) -> None:
    """Import patients with their history (enrolment, PFTs, CMV, HRCT, oxygen, therapies,
    procedures, vaccinations, triggers); checked whole before anything is written."""
    who = operator(ctx)
    who.acting(Permission.ENROL)
    who.acting(Permission.RECORD)
    actor = who.acting(Permission.FIRE_TRIGGER)
    if not histories.is_file():
        raise InvalidValue("HISTORIES", str(histories), "a readable NDJSON file")
    report = import_histories(open_app(), lambda: histories.open(encoding="utf-8"), actor)
    console.print(
        f"imported {report.patients} patients ({report.events} events), judged as of today"
    )
    if report.skipped:
        console.print(
            f"[yellow]{len(report.skipped)} already present, left as they were:[/] "
            + ", ".join(report.skipped[:20])
            + (" ..." if len(report.skipped) > 20 else "")
        )
