"""(c) One transition through the use case (load, guard, write, audit, evaluate, commit),
beside the bare `transitions` trigger on the engine's one Machine.

The use case is timed in a fresh process, as an API worker runs it: the benchmark's own process
holds what the earlier measurements left, and every collection of the garbage collector walks
it.

Run alone: ``python -m bench.transition URL YYYY-MM-DD COUNT`` prints its figures as JSON.
"""

import json
import statistics
import sys
import time
from datetime import date
from typing import Any

from sqlalchemy import select

from ildpath.bootstrap import App, bootstrap
from ildpath.clock import SimulatedClock
from ildpath.settings import Settings
from ildpath.usecases import TriggerCommand, fire_trigger
from pathway.machine import PatientStateHolder, pathway_machine
from persistence.tables import PatientRow

from .child import figures_of_child
from .ingest import CLINICIAN

__all__ = ["bare_trigger", "transitions_in_child", "usecase_transitions"]


def _quantiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"median_ms": statistics.median(ordered) * 1000, "p99_ms": p99 * 1000, "n": len(ordered)}


def usecase_transitions(app: App, count: int) -> dict[str, Any]:
    """refer_transplant (with its reason) for ``count`` patients in monitoring, one each, on
    their full two-year record."""
    with app.engine.connect() as connection:
        ids = list(
            connection.execute(
                select(PatientRow.external_id)
                .where(PatientRow.state == "monitoring")
                .order_by(PatientRow.id)
                .limit(count)
            ).scalars()
        )
    today = app.clock.today()
    command = TriggerCommand("refer_transplant", today, "benchmark: referral discussed at MDT")
    samples = []
    for pid in ids:
        started = time.perf_counter()
        fire_trigger(app, pid, command, CLINICIAN)
        samples.append(time.perf_counter() - started)
    return _quantiles(samples)


def bare_trigger(version: str, count: int = 20_000) -> dict[str, Any]:
    """The same trigger on the shared Machine with a light holder: the library's own cost."""
    event = pathway_machine(version).events["refer_transplant"]
    samples = []
    for _ in range(count):
        holder = PatientStateHolder("monitoring")
        started = time.perf_counter()
        event.trigger(holder)
        samples.append(time.perf_counter() - started)
    return _quantiles(samples)


def transitions_in_child(url: str, day: date, count: int) -> dict[str, Any]:
    """`usecase_transitions` on the clinic day ``day``, in a fresh Python process."""
    return figures_of_child("bench.transition", url, day.isoformat(), str(count))


def _run(url: str, day: date, count: int) -> dict[str, Any]:
    app = bootstrap(Settings(database_url=url), SimulatedClock(day), upgrade=False)
    try:
        return usecase_transitions(app, count)
    finally:
        app.engine.dispose()


if __name__ == "__main__":
    print(json.dumps(_run(sys.argv[1], date.fromisoformat(sys.argv[2]), int(sys.argv[3]))))
