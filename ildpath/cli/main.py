"""`ildpath`: the command line of the care-pathway engine (decision support only)."""

from typing import Annotated

import typer

from .alert import alert_app
from .audit import audit_app
from .calendar import calendar_app
from .cohort import cohort
from .demo import demo
from .edge import Operator, check_role, default_user, run_guarded
from .fhir import fhir_app
from .importing import import_cohort
from .init import init
from .pathway import pathway_app
from .patient import patient_app
from .record import record_app
from .reminders import reminders_app
from .report import report_app
from .scenario import scenario_app
from .scheduler import scheduler_app
from .serve import serve
from .tasks import tasks_app
from .trigger import trigger
from .user import user_app

__all__ = ["app", "main"]

app = typer.Typer(
    name="ildpath",
    help="Care pathway for ILD in inflammatory myopathy (PM/DM-ILD, anti-MDA5 RP-ILD). "
    "Decision support: the engine proposes, clinicians decide. The database is "
    "ILDPATH_DATABASE_URL (default: ildpath.db in this folder).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def who(
    ctx: typer.Context,
    user: Annotated[
        str | None,
        typer.Option(envvar="ILDPATH_USER", help="Your name in the audit trail (default: login)."),
    ] = None,
    role: Annotated[
        str,
        typer.Option(
            envvar="ILDPATH_ROLE",
            help="coordinator (record data, manage tasks), clinician (also fire triggers and "
            "acknowledge alerts), auditor (read and report), admin.",
        ),
    ] = "coordinator",
) -> None:
    ctx.obj = Operator(user or default_user(), check_role(role))


app.command("init")(init)
app.add_typer(patient_app, name="patient")
app.add_typer(record_app, name="record")
app.command("trigger")(trigger)
app.add_typer(alert_app, name="alert")
app.command("cohort")(cohort)
app.add_typer(tasks_app, name="tasks")
app.add_typer(calendar_app, name="calendar")
app.add_typer(report_app, name="report")
app.command("demo")(demo)
app.add_typer(pathway_app, name="pathway")
app.add_typer(audit_app, name="audit")
app.add_typer(scheduler_app, name="scheduler")
app.add_typer(reminders_app, name="reminders")
app.command("serve")(serve)
app.add_typer(scenario_app, name="scenario")
app.add_typer(user_app, name="user")
app.add_typer(fhir_app, name="fhir")
app.command("import")(import_cohort)


def main() -> None:
    """The console script: every refusal becomes one line and an exit code (see edge)."""
    run_guarded(app)
