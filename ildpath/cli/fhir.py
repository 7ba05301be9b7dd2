"""`ildpath fhir`: exchange the record with other systems as FHIR R4 (validated as R4B).

``import`` enters a Bundle's resources through the same use cases as ``ildpath record``, so
alerts and tasks follow as if typed in, and prints what became of each resource; ``export``
writes a patient's or the cohort's pathway as a Bundle (a logged view of each record).

``import`` exits 0 when something was imported (or had been before), 1 when nothing could be
(every entry invalid, of an unknown code or not imported: a script must not take that for
success), 2 when the bundle is refused whole or a transaction is refused (nothing written).
"""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from pathway.errors import InvalidValue

from ..roles import Permission
from .edge import EXIT_REFUSED, console, emit_json, fail, open_app, operator

if TYPE_CHECKING:
    from ..fhir import ImportReport

fhir_app = typer.Typer(
    help="FHIR R4: import a Bundle (Patient, Observation, Medication*, Procedure, "
    "Immunization); export CarePlan, Task, DetectedIssue, AuditEvent, Provenance.",
    no_args_is_help=True,
)

_STYLE = {
    "created": "green",
    "already_imported": "dim",
    "unknown_code": "yellow",
    "invalid": "red",
    "not_imported": "dim",
    "corrected": "green",
}
EXIT_NOTHING_IMPORTED = 1
"""Nothing of the bundle is in ildpath: no entry created, corrected or already imported."""


@fhir_app.command("import")
def import_(
    ctx: typer.Context,
    bundle: Annotated[
        Path, typer.Argument(help="A transaction, batch, collection or searchset Bundle (JSON).")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    source: Annotated[
        str | None,
        typer.Option("--source", help="The sending system (e.g. its FHIR base URL)."),
    ] = None,
) -> None:
    """Import a Bundle; refused whole (exit 2, nothing written) if it is not valid FHIR or a
    transaction fails, else each resource is created, already imported, or listed with why
    it was not (exit 1 when nothing could be imported)."""
    # The FHIR models load with the FHIR commands only: every other command starts without.
    from ..fhir import import_bundle
    from ..fhir.report import TransactionRefused

    who = operator(ctx)
    actor = who.acting(Permission.ENROL)
    who.acting(Permission.RECORD)
    try:
        data = bundle.read_bytes()
    except OSError as error:
        raise InvalidValue("BUNDLE", str(bundle), f"a readable file ({error.strerror})") from None
    try:
        report = import_bundle(open_app(), data, actor, source=source)
    except TransactionRefused as refused:
        _show(refused.report, as_json)
        failing = "; ".join(f"entry {o.index} {o.resource}: {o.reason}" for o in refused.failing)
        fail(f"transaction refused, nothing written: {failing}", EXIT_REFUSED)
    _show(report, as_json)
    if not report.imported_any():
        fail(
            "nothing could be imported: no entry was created or already imported "
            "(see each entry's reason above)",
            EXIT_NOTHING_IMPORTED,
        )


def _show(report: "ImportReport", as_json: bool) -> None:
    """The report: as JSON, or a table of the entries and the counts line."""
    if as_json:
        emit_json(report.as_data())
        return
    table = Table("#", "resource", "status", "patient", "written / why")
    for line in report.lines():
        style = _STYLE.get(line.status, "")
        said = ", ".join(line.created) + (" — " if line.created and line.reason else "")
        table.add_row(
            str(line.index),
            line.resource,
            f"[{style}]{line.status}[/]",
            line.patient or "",
            said + line.reason,
        )
    console.print(table)
    console.print(", ".join(f"{n} {status}" for status, n in report.counts().items()))


@fhir_app.command("export")
def export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="The Bundle file to write (JSON).")],
    patient_id: Annotated[str | None, typer.Argument(help="Patient id.")] = None,
    cohort: Annotated[bool, typer.Option("--cohort", help="Every patient.")] = False,
) -> None:
    """Write a patient's (or with --cohort every patient's) pathway as a collection Bundle:
    CarePlan, Task, DetectedIssue, AuditEvent, Provenance. The export is logged: a
    patient's as a view of the record, the cohort's as one listing naming every patient."""
    from ..fhir.exporting import export_cohort, export_patient

    if cohort == (patient_id is not None):
        raise InvalidValue("PATIENT_ID", patient_id, "a patient id, or --cohort (not both)")
    app = open_app()
    if cohort:
        text = export_cohort(app, operator(ctx).acting(Permission.REPORT), via="cli")
    else:
        actor = operator(ctx).acting(Permission.READ)
        text = export_patient(app, str(patient_id), actor, via="cli")
    out.write_text(text, encoding="utf-8")
    console.print(f"wrote {out} (FHIR R4 collection Bundle, validated as R4B)")
