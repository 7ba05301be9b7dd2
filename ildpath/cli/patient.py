"""`ildpath patient`: enrol, look at, and amend one patient."""

from pathlib import Path
from typing import Annotated

import typer

from pathway.errors import InvalidValue

from ..roles import Permission
from ..usecases import EnrolPatient, amend_phenotype, enrol_patient, patient_summary
from ..usecases.enrolment import PHENOTYPE_FIELDS
from ..usecases.enrolment_file import read_enrolments
from ..usecases.patient_data import patient_data
from ..usecases.views import record_view
from .edge import console, emit_json, open_app, operator, parse_day
from .outcome_lines import print_outcome
from .patient_view import print_patient

patient_app = typer.Typer(
    help="One patient: enrol, show the whole picture, amend the phenotype.",
    no_args_is_help=True,
)

Day = Annotated[str | None, typer.Option("--on", help="Clinical date YYYY-MM-DD (default: today).")]


@patient_app.command("enrol")
def enrol(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="YAML or JSON file: one patient, or a list of patients."),
    ] = None,
    patient_id: Annotated[
        str | None, typer.Option("--id", help="Pseudonymous patient id (no names).")
    ] = None,
    sex: Annotated[str | None, typer.Option(help="female, male, other, unknown.")] = None,
    birth_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD.")] = None,
    enrolled_on: Annotated[
        str | None, typer.Option(help="Enrolment date YYYY-MM-DD (default: today).")
    ] = None,
    diagnosis: Annotated[
        str | None,
        typer.Option(
            help="polymyositis, dermatomyositis, clinically_amyopathic_dm, "
            "antisynthetase_syndrome, other_iim."
        ),
    ] = None,
    anti_mda5: Annotated[
        str, typer.Option(help="Anti-MDA5: positive, negative, pending, unknown.")
    ] = "unknown",
    anti_ars: Annotated[
        str, typer.Option(help="Anti-ARS (Jo-1, PL-7, ...): positive, negative, pending, unknown.")
    ] = "unknown",
    ild_course: Annotated[
        str | None,
        typer.Option(help="ILD course: non_progressive, progressive, rapidly_progressive."),
    ] = None,
    risk_factor: Annotated[
        list[str] | None,
        typer.Option(
            "--risk-factor",
            help="Repeat for each: extensive_ggo, bal_neutrophilia, low_vital_capacity, "
            "active_myositis, respiratory_muscle_weakness, osteoporosis.",
        ),
    ] = None,
    weight_kg: Annotated[float | None, typer.Option(help="Body weight (kg).")] = None,
    height_cm: Annotated[float | None, typer.Option(help="Height (cm), for doses per m².")] = None,
) -> None:
    """Enrol a patient (from flags, or many from --file). Opens the enrolment tasks: first
    PFT, vaccinations, and the transplant referral of an anti-MDA5 positive patient."""
    actor = operator(ctx).acting(Permission.ENROL)
    app = open_app()
    if file is not None:
        commands = read_enrolments(app, file)
    else:
        for name, value in (
            ("id", patient_id),
            ("sex", sex),
            ("birth_date", birth_date),
            ("diagnosis", diagnosis),
        ):
            if not value:
                raise InvalidValue(
                    name, value, f"a value: give --{name.replace('_', '-')} (or --file)"
                )
        today = app.clock.today()
        commands = [
            EnrolPatient(
                id=str(patient_id),
                sex=str(sex),
                birth_date=parse_day("birth_date", birth_date),
                enrolled_on=parse_day("enrolled_on", enrolled_on, today),
                diagnosis=str(diagnosis),
                anti_mda5=anti_mda5,
                anti_ars=anti_ars,
                ild_course=ild_course,
                risk_factors=tuple(risk_factor or ()),
                weight_kg=weight_kg,
                height_cm=height_cm,
            )
        ]
    for command in commands:
        outcome = enrol_patient(app, command, actor)
        console.print(f"enrolled {outcome.patient_id} on {command.enrolled_on}")
        print_outcome(outcome)


@patient_app.command("show")
def show(
    ctx: typer.Context,
    patient_id: Annotated[str, typer.Argument(help="Patient id.")],
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Show the patient as on this day (default: today)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """The whole picture: state, phenotype, active therapies, open tasks with due dates,
    alerts, recommendations with their sources, proposed triggers, and the timeline."""
    actor = operator(ctx).acting(Permission.READ)
    app = open_app()
    summary = patient_summary(app, patient_id, parse_day("as_of", as_of, app.clock.today()))
    record_view(app, patient_id, actor, via="cli", what="patient record")
    if as_json:
        emit_json(patient_data(summary))
    else:
        print_patient(summary)


@patient_app.command("amend")
def amend(
    ctx: typer.Context,
    patient_id: Annotated[str, typer.Argument(help="Patient id.")],
    field: Annotated[str, typer.Argument(help=", ".join(PHENOTYPE_FIELDS) + ".")],
    value: Annotated[
        str,
        typer.Argument(
            help="New value; risk_factors as a comma-separated list ('' for none); "
            "weight_kg, height_cm a number."
        ),
    ],
    on: Day = None,
    reason: Annotated[str | None, typer.Option(help="Why it changed (kept in the audit).")] = None,
) -> None:
    """Amend one phenotype field from its clinical date (e.g. anti-MDA5 pending -> positive);
    the rules that depend on it apply from that date."""
    actor = operator(ctx).acting(Permission.RECORD)
    app = open_app()
    parsed: object = value
    if field == "risk_factors":
        parsed = [v.strip() for v in value.split(",") if v.strip()]
    elif field in {"weight_kg", "height_cm"}:
        try:
            parsed = float(value)
        except ValueError:
            unit = "kg" if field == "weight_kg" else "cm"
            raise InvalidValue(field, value, f"a number of {unit}") from None
    day = parse_day("on", on, app.clock.today())
    outcome = amend_phenotype(app, patient_id, field, parsed, day, actor, reason)
    console.print(f"amended {field} of {patient_id} to {parsed} from {day}")
    print_outcome(outcome)
