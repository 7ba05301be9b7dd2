"""`build_demo`: plan a synthetic cohort and replay it into the app's database."""

import time
from collections.abc import Callable
from datetime import date

from ..bootstrap import App
from .cohort import plan_cohort
from .commits import fast_commits
from .replay import Replay
from .summary import DemoSummary, open_work, states_count

__all__ = ["build_demo"]


def build_demo(
    app: App,
    size: int,
    seed: int,
    *,
    end: date,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Enrol ``size`` synthetic patients (DEMO-0001...) over the 15 months before ``end`` and
    replay their courses day by day on the app's `SimulatedClock`, which ends on ``end``.

    The same size, seed and end give the same database content. ``progress(done, total)``
    is called after each simulated day. A refused entry raises `DemoPlanError`.
    """
    started = time.perf_counter()
    plans = plan_cohort(size, seed, end)
    replay = Replay(app, plans, seed, end)
    with fast_commits(app.engine):
        days = replay.run(progress)
    work = open_work(app, end)
    return DemoSummary(
        patients=len(plans),
        events=replay.events,
        days=days,
        states=states_count(app),
        open_tasks=work.open_tasks,
        overdue_tasks=work.overdue_tasks,
        unacknowledged_critical=work.unacknowledged_critical,
        seconds=time.perf_counter() - started,
    )
