"""`ildpath report`: the patient report and the cohort audit (CLINICAL_SPEC §10)."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from pathway.errors import InvalidValue

from ..roles import Permission
from ..usecases.listings import Listing
from ..usecases.views import record_view
from .edge import console, open_app, operator, parse_day

report_app = typer.Typer(
    help="Reports: one patient's course, or the cohort's guideline adherence for a period "
    "(HTML, PDF, CSV, JSON).",
    no_args_is_help=True,
)

Format = Annotated[str, typer.Option("--format", help="html, pdf, csv or json.")]
Out = Annotated[
    Path | None, typer.Option("--out", help="File to write (default: standard output).")
]
Pseudonymise = Annotated[
    bool,
    typer.Option(
        "--pseudonymise",
        help="Replace patient ids by keyed pseudonyms (ILDPATH_PSEUDONYM_KEY) and birth dates "
        "by the year.",
    ),
]


def _write(data: bytes, fmt: str, out: Path | None, what: str) -> None:
    from ..reports.output import REPORT_FORMATS

    if fmt not in REPORT_FORMATS:
        raise InvalidValue("format", fmt, ", ".join(REPORT_FORMATS))
    if out is None:
        if fmt == "pdf":
            raise InvalidValue("out", None, "a file for the PDF: give --out FILE.pdf")
        sys.stdout.buffer.write(data)
        return
    out.write_bytes(data)
    console.print(f"wrote {what} ({fmt}, {len(data):,} bytes) to {out}", soft_wrap=True)


@report_app.command("patient")
def patient(
    ctx: typer.Context,
    patient_id: Annotated[str, typer.Argument(help="Patient id.")],
    fmt: Format = "html",
    out: Out = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="As on this day.")] = None,
    pseudonymise: Pseudonymise = False,
) -> None:
    """One patient: timeline of states, therapies and observations with the FVC/DLCO chart,
    alerts with acknowledgements, tasks done on time or late, every transition."""
    actor = operator(ctx).acting(Permission.REPORT)
    if fmt == "pdf" and out is None:
        raise InvalidValue("out", None, "a file for the PDF: give --out FILE.pdf")
    from ..reports.output import patient_report  # the renderers load with reports only

    app = open_app()
    day = parse_day("as_of", as_of, app.clock.today())
    data = patient_report(app, patient_id, fmt, as_of=day, pseudonymise=pseudonymise)
    record_view(app, patient_id, actor, via="cli", what=f"patient report ({fmt})")
    _write(data, fmt, out, f"patient report of {patient_id}")


@report_app.command("cohort")
def cohort(
    ctx: typer.Context,
    start: Annotated[str, typer.Option("--from", help="First day of the period (YYYY-MM-DD).")],
    end: Annotated[
        str | None, typer.Option("--to", help="Last day of the period (default: today).")
    ] = None,
    fmt: Format = "html",
    out: Out = None,
    pseudonymise: Pseudonymise = False,
) -> None:
    """The pathway audit for a period: every measure of CLINICAL_SPEC §10, patients by state,
    the flow between states, overdue tasks, deviations, alerts and transitions."""
    actor = operator(ctx).acting(Permission.REPORT)
    if fmt == "pdf" and out is None:
        raise InvalidValue("out", None, "a file for the PDF: give --out FILE.pdf")
    from ..reports.output import cohort_report  # the renderers load with reports only

    app = open_app()
    first = parse_day("from", start)
    last = parse_day("to", end, app.clock.today())
    shown = Listing(actor, "cli", f"cohort report ({fmt})", f"from={first} to={last}")
    data = cohort_report(app, first, last, fmt, pseudonymise=pseudonymise, listing=shown)
    _write(data, fmt, out, f"cohort report {first} to {last}")
