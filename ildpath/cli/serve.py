"""`ildpath serve`: the dashboard and REST API, with the reminder scheduler in the same
process by default (``--no-scheduler`` when several web processes share one database and a
separate `ildpath scheduler run` sends the reminders)."""

import logging
import secrets
import signal
import threading
from typing import Annotated

import typer

from ..accounts import add_user, demo_accounts, has_users, set_password
from ..bootstrap import App, bootstrap
from ..decision_support import DECISION_SUPPORT
from ..roles import Permission
from ..settings import Settings, safe_url
from .demo import count_patients, seed_demo
from .edge import EXIT_REFUSED, console, fail, operator

__all__ = ["DEMO_ACCOUNTS", "serve"]

DEMO_ACCOUNTS = {
    "demo-clinician": "clinician",
    "demo-coordinator": "coordinator",
    "demo-auditor": "auditor",
    "demo-admin": "admin",
}
"""The demo's sign-ins, one per role; their passwords are drawn afresh at every start."""


def _demo_logins(app: App) -> dict[str, str]:
    """A new random password for each demo account (created if missing): printed once, so
    nobody can sign in with a password from an earlier run or from the documentation."""
    existing = set(demo_accounts(app))
    logins = {}
    for username, role in DEMO_ACCOUNTS.items():
        password = secrets.token_urlsafe(12)
        if username in existing:
            set_password(app, username, password, by="system")
        else:
            add_user(app, username, role, password, demo=True, by="system")
        logins[username] = password
    return logins


def _prepare_demo(settings: Settings, size: int) -> dict[str, str]:
    app = bootstrap(settings)
    try:
        patients = count_patients(app)
        if patients and not demo_accounts(app):
            fail(
                f"--demo: database {safe_url(settings.database_url)} holds {patients} patients "
                "and is not a demo database; --demo seeds an empty database only. Choose "
                "another one, e.g. ILDPATH_DATABASE_URL=sqlite:///demo.db ildpath serve --demo",
                EXIT_REFUSED,
            )
        if not patients:
            console.print(f"Seeding a synthetic demo cohort of {size} patients (once) ...")
            seed_demo(settings, size, seed=7)
        return _demo_logins(app)
    finally:
        app.engine.dispose()


def _greet(url: str, logins: dict[str, str], app: App) -> None:
    console.print(f"[bold]ildpath dashboard[/] at {url}/  (REST API: {url}/docs)")
    console.print(DECISION_SUPPORT)
    for username, password in logins.items():
        role = DEMO_ACCOUNTS[username]
        console.print(f"  sign in as [bold]{username}[/] / {password}   ({role})", markup=True)
    if not logins and not has_users(app):
        console.print(
            "[yellow]No accounts yet:[/] create one with "
            "`ildpath user add NAME --role admin`, then sign in."
        )


def _already_stopping(signum: int, _frame: object) -> None:
    """uvicorn shuts down on SIGINT/SIGTERM and then raises the signal again for the previous
    handler: this one, so the process goes on to stop the scheduler and exits 0."""


def _logging() -> None:
    """The server's and the scheduler's lines, not every library's."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for noisy in ("apscheduler", "transitions", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="On an empty database, seed the synthetic demo cohort first; print a sign-in "
            "per role (new passwords at every start).",
        ),
    ] = False,
    demo_size: Annotated[int, typer.Option(help="Patients in the demo cohort.")] = 120,
    scheduler: Annotated[
        bool,
        typer.Option(
            "--scheduler/--no-scheduler",
            help="Run the reminder scheduler in this process (default). Use --no-scheduler "
            "for extra web processes, with one `ildpath scheduler run` beside them.",
        ),
    ] = True,
) -> None:
    """Serve the coordinators' dashboard and the REST API (ILDPATH_DATABASE_URL)."""
    # The web server and the scheduler are imported here, not at the top: every other
    # command starts without them.
    import uvicorn

    from ..api.app import create_api
    from ..api.server import server_config
    from ..scheduling import LiveScheduler

    operator(ctx).acting(Permission.READ)
    if demo_size < 1:
        fail(f"--demo-size: {demo_size} is not allowed; allowed: 1 or more", EXIT_REFUSED)
    settings = Settings()
    logins = _prepare_demo(settings, demo_size) if demo else {}
    _logging()
    app = bootstrap(settings)
    runner = LiveScheduler() if scheduler else None
    thread = threading.Thread(target=runner.run, name="scheduler", daemon=True) if runner else None
    _greet(f"http://{host}:{port}", logins, app)
    server = uvicorn.Server(server_config(create_api(app), settings, host=host, port=port))
    if thread is not None:
        thread.start()
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, _already_stopping)
    try:
        server.run()
    finally:
        if runner is not None and thread is not None:
            runner.stop()
            thread.join(30)
        app.engine.dispose()
