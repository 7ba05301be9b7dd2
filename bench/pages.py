"""(f) The dashboard's pages at registry scale (issue 18, item 8): the server time and the size
of the cohort board ``/``, the worklist ``/tasks`` and one patient's page ``/patients/{id}``,
as a signed-in coordinator sees them, judged against p95 <= 300 ms and <= 200 kB a page.

The cohort is the benchmark's own (`bench.cohort`, bulk-imported and judged as a clinic's
import is), on a database of its own, then judged by the scheduler's daily run on the next
morning, the day the pages are read: open and overdue tasks, alerts that hold and alerts
already cleared, patients in induction, monitoring and closed.

The pages are requested through the real application (`ildpath.api.app.create_api`, the
dashboard included) in-process, with Starlette's test client: no socket, so the figures are
the server's own. The coordinator's account is added with the accounts use case and signs in
by posting the sign-in form, so every request carries a real session cookie through the same
authentication code as production. Each page is requested ``warmups`` times untimed, then
``requests`` times; each request's server time runs from the moment the application receives
it to the moment it hands over the last byte of its body (an ASGI wrapper around the app, which
is left as served); the client's round trip is kept beside it. p95 is the nearest rank.

Measured in a fresh Python process (as the daily run is, `bench.reevaluation`), so the
figures do not carry the parent's heap.

Run alone on a database already filled: ``python -m bench.pages URL YYYY-MM-DD [--requests N]
[--warmups N]`` prints the figures as JSON; ``python -m bench --only pages`` seeds the cohorts
and judges the targets (`bench.pages_run`).
"""

import argparse
import asyncio
import json
import math
import statistics
import time
from collections.abc import Awaitable, Callable, MutableMapping
from contextlib import suppress
from datetime import date
from typing import Any

from sqlalchemy import text

from .child import figures_of_child

__all__ = [
    "MAX_KB",
    "MAX_P95_MS",
    "PAGES",
    "measure_pages",
    "pages_in_child",
]

MAX_P95_MS = 300.0
MAX_KB = 200.0
"""The issue's targets: each page's p95 server time and its size (kB = 1000 bytes)."""
REQUESTS, WARMUPS = 20, 2
PAGES = {"board": "/", "worklist": "/tasks", "patient": "/patients/{id}"}
LABELS = {"board": "cohort board /", "worklist": "worklist /tasks", "patient": "patient page"}
USERNAME = "bench-coordinator"
PASSWORD = "bench-pages-synthetic-password"
"""A synthetic account, added to the benchmark's own throwaway database."""

_Scope = MutableMapping[str, Any]
_Message = MutableMapping[str, Any]
_Receive = Callable[[], Awaitable[_Message]]
_Send = Callable[[_Message], Awaitable[None]]
_Asgi = Callable[[_Scope, _Receive, _Send], Awaitable[None]]


class ServerTimer:
    """An ASGI wrapper that notes how long the wrapped app took over its last HTTP request,
    from receiving it to handing over the last part of its body."""

    def __init__(self, app: _Asgi) -> None:
        self.app, self.last = app, 0.0

    async def __call__(self, scope: _Scope, receive: _Receive, send: _Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def timed(message: _Message) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body"):
                self.last = time.perf_counter() - started
            await send(message)

        await self.app(scope, receive, timed)


def _full_record(connection: Any) -> str:
    """The patient with the longest audited history among those in care, preferring one with
    an alert that holds: the patient page at its heaviest."""
    query = (
        "SELECT p.external_id FROM patient p JOIN audit_event a ON a.patient_id = p.id "
        "WHERE p.state != 'closed' {extra} GROUP BY p.id, p.external_id "
        "ORDER BY count(*) DESC, p.id LIMIT 1"
    )
    holding = (
        "AND EXISTS (SELECT 1 FROM alert l WHERE l.patient_id = p.id "
        "AND l.status = 'raised' AND l.cleared_on IS NULL)"
    )
    for extra in (holding, ""):
        found = connection.execute(text(query.format(extra=extra))).scalar()
        if found is not None:
            return str(found)
    raise RuntimeError("no patient in care to open")


def _scalar(connection: Any, sql: str, **params: Any) -> int:
    return int(connection.execute(text(sql), params).scalar() or 0)


def _composition(connection: Any, day: date, patient: str) -> dict[str, Any]:
    """What the pages show: the cohort's states, tasks and alerts, and the chosen patient's
    record (the figures say what was measured)."""
    states = connection.execute(text("SELECT state, count(*) FROM patient GROUP BY state")).all()
    alerts = "SELECT count(*) FROM alert WHERE status = 'raised' AND acknowledged_at IS NULL"
    tasks = "SELECT count(*) FROM care_task WHERE status = 'open'"
    pid = "(SELECT id FROM patient WHERE external_id = :patient)"
    return {
        "states": {str(state): int(n) for state, n in sorted(states)},
        "open_tasks": _scalar(connection, tasks),
        "overdue_tasks": _scalar(connection, tasks + " AND due_on < :day", day=day),
        "alerts_holding": _scalar(connection, alerts + " AND cleared_on IS NULL"),
        "alerts_cleared": _scalar(connection, alerts + " AND cleared_on IS NOT NULL"),
        "patient": {
            "id": patient,
            **{
                table: _scalar(
                    connection,
                    f'SELECT count(*) FROM "{table}" WHERE patient_id = {pid}',
                    patient=patient,
                )
                for table in ("audit_event", "observation", "alert", "care_task")
            },
        },
    }


def _nearest_rank(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


async def _time_page(
    client: Any, timer: ServerTimer, path: str, warmups: int, requests: int
) -> dict[str, Any]:
    """``warmups`` untimed requests, then ``requests`` timed; every answer must be the page."""
    server: list[float] = []
    client_ms: list[float] = []
    sizes: set[int] = set()
    for n in range(warmups + requests):
        started = time.perf_counter()
        response = await client.get(path, follow_redirects=False)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}, not the page")
        if n >= warmups:
            server.append(timer.last * 1000)
            client_ms.append(elapsed * 1000)
            sizes.add(len(response.content))
    return {
        "path": path,
        "n": requests,
        "median_ms": statistics.median(server),
        "p95_ms": _nearest_rank(server, 0.95),
        "max_ms": max(server),
        "client_median_ms": statistics.median(client_ms),
        "bytes": max(sizes),
        "kb": max(sizes) / 1000,
    }


def _add_coordinator(app: Any) -> None:
    """The benchmark's coordinator, added once with the accounts use case."""
    from ildpath.accounts import add_user
    from ildpath.accounts.errors import UsernameTaken

    with suppress(UsernameTaken):
        add_user(app, USERNAME, "coordinator", PASSWORD, by="system")


async def _sign_in(client: Any) -> None:
    """Sign in as a person does: post the sign-in form, keep the session cookie."""
    answer = await client.post(
        "/login",
        data={"username": USERNAME, "password": PASSWORD, "next": "/"},
        follow_redirects=False,
    )
    if answer.status_code != 303 or not client.cookies:
        raise RuntimeError(f"the benchmark's coordinator could not sign in ({answer.status_code})")


async def _timed_pages(app: Any, patient: str, warmups: int, requests: int) -> dict[str, Any]:
    """Sign in, then time each page, one request at a time."""
    import httpx

    from ildpath.api.app import create_api

    timer = ServerTimer(create_api(app))
    transport = httpx.ASGITransport(app=timer)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        await _sign_in(client)
        return {
            name: await _time_page(client, timer, path.format(id=patient), warmups, requests)
            for name, path in PAGES.items()
        }


def measure_pages(
    url: str, day: date, *, requests: int = REQUESTS, warmups: int = WARMUPS
) -> dict[str, Any]:
    """Each page's figures on the database at ``url`` as read on ``day`` (see the module)."""
    from ildpath.bootstrap import bootstrap
    from ildpath.clock import SimulatedClock
    from ildpath.settings import Settings

    app = bootstrap(Settings(database_url=url), SimulatedClock(day), upgrade=False)
    with app.engine.connect() as connection:
        patient = _full_record(connection)
        cohort = _composition(connection, day, patient)
    _add_coordinator(app)
    pages = asyncio.run(_timed_pages(app, patient, warmups, requests))
    app.engine.dispose()
    return {"day": day.isoformat(), "warmups": warmups, "cohort": cohort, "pages": pages}


def pages_in_child(url: str, day: date, *, requests: int = REQUESTS) -> dict[str, Any]:
    """`measure_pages` in a fresh Python process."""
    return figures_of_child("bench.pages", url, day.isoformat(), "--requests", str(requests))


def _main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="a database holding a cohort, e.g. sqlite:////tmp/c.db")
    parser.add_argument("day", type=date.fromisoformat, help="the day the pages are read")
    parser.add_argument("--requests", type=int, default=REQUESTS)
    parser.add_argument("--warmups", type=int, default=WARMUPS)
    args = parser.parse_args()
    figures = measure_pages(args.url, args.day, requests=args.requests, warmups=args.warmups)
    print(json.dumps(figures))


if __name__ == "__main__":
    _main()
