"""`ildpath fhir`: exchange the record with other systems as FHIR R4 (validated as R4B).

``import`` enters a Bundle's resources through the same use cases as ``ildpath record``, so
alerts and tasks follow as if typed in, and prints what became of each resource; ``export``
writes a patient's or the cohort's pathway as a Bundle (a logged view of each record).
"""

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pathway.errors import InvalidValue

from ..fhir import import_bundle
from ..fhir.exporting import export_cohort, export_patient
from ..roles import Permission
from .edge import console, emit_json, open_app, operator

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
}


@fhir_app.command("import")
def import_(
    ctx: typer.Context,
    bundle: Annotated[Path, typer.Argument(help="A transaction or collection Bundle (JSON).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Import a Bundle; refused whole (exit 2, nothing written) if it is not valid FHIR,
    else each resource is created, already imported, or listed with why it was not."""
    who = operator(ctx)
    actor = who.acting(Permission.ENROL)
    who.acting(Permission.RECORD)
    try:
        data = bundle.read_bytes()
    except OSError as error:
        raise InvalidValue("BUNDLE", str(bundle), f"a readable file ({error.strerror})") from None
    report = import_bundle(open_app(), data, actor)
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
    CarePlan, Task, DetectedIssue, AuditEvent, Provenance. The export is logged as a view
    of each record."""
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
