"""`ildpath scheduler run`: the reminder scheduler, live or on a simulated clock."""

import logging
import signal
from datetime import date, timedelta
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import func, select

from persistence.tables import PatientRow
from scheduler.notifiers.settings import notifiers_from_settings

from .. import jobs
from ..bootstrap import App, bootstrap
from ..clock import SimulatedClock, SystemClock
from ..scheduling import LiveScheduler
from ..settings import Settings
from .edge import parse_day

scheduler_app = typer.Typer(
    help="Care reminders: daily re-evaluation and due-task dispatch.", no_args_is_help=True
)


def _logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def _last_evaluated(app: App) -> date | None:
    with app.engine.connect() as connection:
        return connection.execute(select(func.max(PatientRow.last_evaluated_on))).scalar()


def _simulate(start: date | None, until: date) -> None:
    settings = Settings()
    clock = SimulatedClock(SystemClock(settings.timezone).today())
    app = bootstrap(settings, clock)
    last = _last_evaluated(app)
    first = start or (last + timedelta(days=1) if last else clock.today())
    if until < first:
        raise typer.BadParameter(f"--until {until} is before the first day to run ({first})")
    notifiers = {n.channel: n for n in notifiers_from_settings()}
    console = Console(highlight=False)
    day, sent = first, 0
    while day <= until:
        clock.move_to(day)
        report = jobs.run_day(app, day, notifiers)
        sent += report.sent
        if report.sent or report.failed:
            console.print(f"{day}: {report.sent} reminders sent, {report.failed} failed")
        day += timedelta(days=1)
    console.print(f"simulated {first} to {until}: {sent} reminders sent")


@scheduler_app.command("run")
def run(
    simulate: Annotated[
        bool,
        typer.Option(
            "--simulate", help="Fast-forward a simulated clock day by day (demos, tests)."
        ),
    ] = False,
    until: Annotated[
        str | None, typer.Option(help="With --simulate: last day to run (YYYY-MM-DD).")
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="With --simulate: first day (default: the day after the last "
            "evaluation, or today).",
        ),
    ] = None,
) -> None:
    """Run the reminder scheduler in the foreground until SIGTERM/SIGINT: re-evaluate every
    active patient daily, and send reminders for due and overdue tasks and critical alerts
    (log, email, webhook; see README). Decision support: reminders inform, people decide."""
    _logging()
    if simulate:
        if until is None:
            raise typer.BadParameter("--simulate needs --until YYYY-MM-DD")
        _simulate(parse_day("from", start) if start else None, parse_day("until", until))
        return
    runner = LiveScheduler()
    log = logging.getLogger("ildpath.scheduler")

    def stop(signum: int, _frame: object) -> None:
        log.info("signal %s: finishing the job in hand, then stopping", signum)
        runner.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    runner.run()
