"""`ildpath demo`: fill an empty database with a synthetic demo cohort."""

from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import func
from sqlmodel import select

from pathway.dates import add_months
from persistence.tables import PatientRow

from ..bootstrap import App, bootstrap
from ..clock import SimulatedClock, SystemClock
from ..jobs import anchor_heads
from ..roles import Permission
from ..settings import Settings, safe_url
from .edge import EXIT_REFUSED, console, fail, operator

if TYPE_CHECKING:
    from ..demo import DemoSummary

__all__ = ["count_patients", "demo", "seed_demo"]


def count_patients(app: App) -> int:
    with app.transaction() as session:
        return int(session.exec(select(func.count()).select_from(PatientRow)).one())


def _anchor(settings: Settings) -> None:
    """The first checkpoint of the cohort's chain heads, as the daily job would take it, so
    `ildpath audit verify` right after the demo compares against one."""
    app = bootstrap(settings)
    try:
        anchor_heads(app)
    finally:
        app.engine.dispose()


def _report(url: str, summary: "DemoSummary", first_report_day: str, today: str) -> None:
    states = ", ".join(f"{state} {count}" for state, count in summary.states.items())
    console.print(
        f"[bold]Demo cohort ready[/] in {url}: {summary.patients} synthetic patients, "
        f"{summary.events} entries over {summary.days} clinic days "
        f"({summary.seconds:.0f} s)."
    )
    console.print(f"Patients by state: {states}.")
    console.print(
        f"Care tasks: {summary.open_tasks} open, {summary.overdue_tasks} overdue. "
        f"Critical alerts not yet acknowledged: {summary.unacknowledged_critical}."
    )
    console.print(
        "Decision support: the engine proposes, clinicians decide. These patients are "
        "synthetic; no reminder was sent to any real channel."
    )
    console.print("Try next:")
    for command in (
        "ildpath cohort",
        "ildpath patient show DEMO-0001",
        "ildpath audit verify",
        f"ildpath report cohort --from {first_report_day} --to {today} --format pdf "
        "--out cohort.pdf",
    ):
        console.print(f"  {command}", markup=False)


def seed_demo(settings: Settings, size: int, seed: int) -> "DemoSummary":
    """Fill the settings' EMPTY database with the demo cohort, with a progress bar; refuse a
    database that already holds patients."""
    # The demo's builder and its courses are imported only when a demo is seeded: every
    # other command starts without them.
    from ..demo import build_demo
    from ..demo.courses import MAX_SPAN_DAYS

    today = SystemClock(settings.timezone).today()
    url = safe_url(settings.database_url)
    app = bootstrap(settings, SimulatedClock(today - timedelta(days=MAX_SPAN_DAYS)))
    try:
        existing = count_patients(app)
        if existing:
            fail(
                f"database {url} already holds {existing} patient{'s' * (existing != 1)}; "
                "the demo fills an empty database only. Choose another one, e.g. "
                "ILDPATH_DATABASE_URL=sqlite:///demo.db ildpath demo",
                EXIT_REFUSED,
            )
        with Progress(
            TextColumn("Simulating clinic days"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            days = bar.add_task("days", total=None)
            return build_demo(
                app,
                size,
                seed,
                end=today,
                progress=lambda done, total: bar.update(days, completed=done, total=total),
            )
    finally:
        app.engine.dispose()


def demo(
    ctx: typer.Context,
    size: Annotated[
        int,
        typer.Option(help="How many synthetic patients to enrol (1 or more)."),
    ] = 200,
    seed: Annotated[
        int,
        typer.Option(help="Seed of the random draw: the same size and seed give the same cohort."),
    ] = 7,
) -> None:
    """Fill an EMPTY database with a synthetic demo cohort of myositis-ILD patients
    (DEMO-0001 ...): 15 months of clinic up to today replayed day by day through the pathway
    (enrolments, PFTs, CMV tests, HRCT, oxygen, treatment, referrals, triggers, alerts,
    acknowledgements, care tasks). The data are synthetic, not real patients: for training
    and trying the commands and reports, never for care. Reminders go to a silent log only,
    never to the configured email or webhook channels."""
    operator(ctx).acting(Permission.ENROL)
    if size < 1:
        fail(
            f"--size: {size} is not allowed; allowed: a number of patients, 1 or more", EXIT_REFUSED
        )
    settings = Settings()
    today = SystemClock(settings.timezone).today()
    url = safe_url(settings.database_url)
    summary = seed_demo(settings, size, seed)
    _anchor(settings)
    _report(url, summary, add_months(today, -15).isoformat(), today.isoformat())
