"""`ildpath`: the command line of the care-pathway engine (decision support only)."""

import typer

from .audit import audit_app
from .scenario import scenario_app
from .scheduler import scheduler_app
from .tasks import tasks_app

app = typer.Typer(
    name="ildpath",
    help="Care pathway for ILD in inflammatory myopathy (PM/DM-ILD, anti-MDA5 RP-ILD). "
    "Decision support: the engine proposes, clinicians decide.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(scenario_app, name="scenario")
app.add_typer(audit_app, name="audit")
app.add_typer(tasks_app, name="tasks")
app.add_typer(scheduler_app, name="scheduler")
