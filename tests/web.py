"""A real ildpath web server on 127.0.0.1 for the API and browser tests: uvicorn in a thread,
on a real database, with a clock the test moves, and one account per role."""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import httpx
import uvicorn

from ildpath.accounts import add_user, issue_token
from ildpath.api.app import create_api
from ildpath.api.server import server_config
from ildpath.bootstrap import App, bootstrap
from ildpath.clock import SimulatedClock
from ildpath.settings import Settings

PASSWORD = "correct-horse-battery"
"""Every test account's password (synthetic; at least 12 characters)."""

PEOPLE = {
    "coordinator": "coord-anna",
    "clinician": "dr-ben",
    "auditor": "audit-cleo",
    "admin": "admin-dan",
}


@dataclass
class WebClinic:
    url: str
    app: App
    clock: SimulatedClock
    tokens: dict[str, str] = field(default_factory=dict)
    """An API token per role."""

    def client(self, role: str | None = None) -> httpx.Client:
        """An API client signed in with the role's token (anonymous without a role)."""
        headers = {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(app: App, *, dashboard: bool = True, port: int | None = None) -> Iterator[str]:
    """Serve the app on a loopback port (a free one unless given) until the block ends."""
    port = port or free_port()
    api = create_api(app, dashboard=dashboard)
    config = server_config(api, app.settings, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@contextmanager
def web_clinic(
    database_url: str,
    today: date = date(2026, 11, 2),
    *,
    dashboard: bool = True,
    port: int | None = None,
    **settings: object,
) -> Iterator[WebClinic]:
    """A clinic with one account and one API token per role, served over HTTP (on ``port``,
    when given, with further ``settings``)."""
    clock = SimulatedClock(today)
    app = bootstrap(Settings(database_url=database_url, **settings), clock)  # type: ignore[arg-type]
    try:
        tokens = {}
        for role, username in PEOPLE.items():
            add_user(app, username, role, PASSWORD, by="system")
            tokens[role] = issue_token(app, username, "tests", by="system")
        with serving(app, dashboard=dashboard, port=port) as url:
            yield WebClinic(url, app, clock, tokens)
    finally:
        app.engine.dispose()
