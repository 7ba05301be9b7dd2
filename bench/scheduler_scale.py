"""The scheduler at clinic scale (benchmark issue, part d): with ``open_tasks`` open care
tasks, how long ildpath takes to find and dispatch the ``due`` reminders falling due today, and
to be ready again after a restart, beside the straightforward alternative measured in the same
run: one APScheduler 3.x ``date`` job per task in its SQLAlchemy job store.

Both contenders send through the same in-memory counting sink, so the figures are the
schedulers' own cost (querying, claiming, recording), not a channel's. Both databases get the
same engine settings (`persistence.database.make_engine`: WAL, synchronous FULL on SQLite), so
a commit costs the same fsync on each side.

Figures returned (seconds of wall time, `time.perf_counter`):

``ildpath.dispatch_s``
    one ``dispatch(engine, {"sink": ...}, today, now, cadence)`` call on a fresh engine: plan
    the due reminders into the outbox, then deliver every pending one. ``plan_s`` is the part
    before the first send, ``deliver_s`` the rest (measured from inside the sink, so the split
    costs nothing extra).
``ildpath.restart_s``
    what a restarted scheduler process does before it is ready, imports excepted: a new engine,
    ``build_scheduler`` (APScheduler with its two ticker jobs in the application's database),
    the catch-up ``dispatch`` pass over an outbox with nothing new (as ``LiveScheduler`` runs
    it; also reported alone as ``restart_catch_up_s``), ``start()`` and APScheduler's first
    wakeup. The idempotent schema upgrade ``bootstrap`` also runs at start is reported apart
    as ``restart_schema_upgrade_s``.
``apscheduler_one_job_per_task.dispatch_s``
    a new engine, job store and BackgroundScheduler on the job table, from there until every
    due job has run and the first wakeup has finished (where each date job that ran is deleted
    from the table, one transaction each).
``apscheduler_one_job_per_task.restart_s``
    a new engine, job store and BackgroundScheduler on the table left after dispatch
    (``restart_jobs`` rows, none due) until ``start()`` returned and the first wakeup finished.

APScheduler decides what is due from the wall clock, so its jobs are placed relative to the
real time at setup: a task due ``today`` runs a minute before setup, a task due in N days runs
N days after. ildpath takes ``today`` and ``now`` as values (ARCHITECTURE: time is passed in).

Run: ``python -m bench.scheduler_scale --sqlite-dir DIR [--postgres SERVER_URL]`` (a throwaway
server: ``python -m tests.postgres_server start --state FILE`` prints a URL).
"""

import argparse
import json
import logging
import pickle
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.util import datetime_to_utc_timestamp
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url

from pathway.findings import CareTask
from persistence.changes import ENGINE, Audit, NewPatient, PatientChanges, TaskChange
from persistence.database import make_engine, upgrade_schema
from persistence.sql_store import SqlStore
from scheduler.dispatcher import dispatch
from scheduler.reminder import Reminder
from scheduler.service import JobTargets, ScheduleSettings, build_scheduler

from .databases import Backend

__all__ = ["CountingNotifier", "measure_scheduler", "remind"]

CHANNEL = "sink"
CADENCE_DAYS = 7
TASK_KINDS = ("pft", "cmv_test", "hrct", "vaccination_influenza")
JOB_DEFAULTS = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}
"""ARCHITECTURE: the 3.x default grace of 1 s would drop a job that fell due while down."""
REMIND = "bench.scheduler_scale:remind"
IDLE = "bench.scheduler_scale:idle"
CHUNK = 5_000
WAIT_LIMIT_S = 900.0


class CountingNotifier:
    """The Notifier protocol with no channel cost: counts sends and distinct keys, and notes
    when the first send happened (where planning ended). Thread-safe: APScheduler runs jobs in
    a pool."""

    channel = CHANNEL

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.sent = 0
            self.keys: set[str] = set()
            self.first_at: float | None = None

    def send(self, reminder: Reminder) -> None:
        now = time.perf_counter()
        with self._lock:
            self.sent += 1
            self.keys.add(reminder.key)
            self.first_at = self.first_at or now


SINK = CountingNotifier()
"""The sink the alternative's jobs reach (a job target must be a module-level function)."""


def remind(key: str, patient_id: str, subject: str, due_on: str) -> None:
    """One alternative job: the same reminder ildpath would send for the task."""
    due = date.fromisoformat(due_on)
    text = f"Patient {patient_id}: {subject} due (due {due_on})."
    SINK.send(Reminder(key, "due", patient_id, subject, due, text))


def idle() -> None:
    """Target of ildpath's two ticker jobs during the restart measure (never due there)."""


# -- synthetic data ------------------------------------------------------------------------


def _is_due(task: int, open_tasks: int, due: int) -> bool:
    """Exactly ``due`` of the ``open_tasks`` tasks, spread evenly over them."""
    return task * due // open_tasks != (task + 1) * due // open_tasks


def _offset_days(task: int, open_tasks: int, due: int) -> int:
    """0 for a task due today, else 1..365 days ahead."""
    return 0 if _is_due(task, open_tasks, due) else 1 + task % 365


def _patient(n: int, today: date) -> NewPatient:
    enrolled = today - timedelta(days=30)
    return NewPatient(
        {
            "external_id": f"BENCH-{n:06d}",
            "sex": "female" if n % 2 else "male",
            "birth_date": date(1950 + n % 50, 1 + n % 12, 1 + n % 28),
            "enrolled_on": enrolled,
            "diagnosis": "dermatomyositis",
            "anti_mda5": "negative",
            "anti_ars": "negative",
            "ild_course": None,
            "risk_factors": [],
            "weight_kg": None,
            "state": "diagnosis",
            "state_since": enrolled,
            "pathway_version": "bench",
        }
    )


def _opened(task: int, open_tasks: int, due: int, today: date) -> TaskChange:
    care = CareTask(
        TASK_KINDS[task % len(TASK_KINDS)],
        f"bench-{task}",
        today - timedelta(days=30),
        today + timedelta(days=_offset_days(task, open_tasks, due)),
        "bench",
    )
    fields = {
        "due_on": care.due_on,
        "status": "open",
        "closed_on": None,
        "opened_on": care.opened_on,
    }
    audit = Audit("task_opened", {"key": care.key, "kind": care.kind}, care.opened_on, ENGINE)
    return TaskChange(care.key, fields, audit, task=care)


def _populate_ildpath(
    url: str, open_tasks: int, due: int, patients: int, today: date
) -> dict[str, float]:
    """The patients and their open tasks, written through the one writer (each task with its
    audit event, as the engine opens it), a chunk of patients per transaction."""
    started = time.perf_counter()
    engine = make_engine(url)
    try:
        upgrade_schema(engine)
        at = datetime.combine(today, clock_time(6), UTC)
        tasks: list[list[TaskChange]] = [[] for _ in range(patients)]
        for task in range(open_tasks):
            tasks[task % patients].append(_opened(task, open_tasks, due, today))
        store = SqlStore(engine)
        step = max(1, CHUNK // max(1, open_tasks // patients))
        for first in range(0, patients, step):
            with store.unit_of_work() as uow:
                uow.patients.write(
                    [
                        PatientChanges(_patient(n, today), tasks[n], today, "bench")
                        for n in range(first, min(patients, first + step))
                    ],
                    lambda: at,
                )
    finally:
        engine.dispose()
    return {"setup_s": time.perf_counter() - started}


# -- ildpath ------------------------------------------------------------------------------


@contextmanager
def _first_wakeup(scheduler: BackgroundScheduler) -> Iterator[threading.Event]:
    """An event set when APScheduler's first ``_process_jobs`` pass has finished (its
    scheduler thread calls the method through the instance, so wrapping it there suffices)."""
    done = threading.Event()
    original = scheduler._process_jobs

    def process_jobs() -> float | None:
        wait = original()
        done.set()
        return wait

    scheduler._process_jobs = process_jobs  # type: ignore[method-assign]
    yield done


def _wait(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_LIMIT_S
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what}")
        time.sleep(0.001)


def _measure_ildpath(url: str, due: int, today: date) -> dict[str, Any]:
    instant = datetime.combine(today, clock_time(7), UTC)

    def now() -> datetime:
        return instant

    notifiers: Mapping[str, CountingNotifier] = {CHANNEL: CountingNotifier()}
    sink = notifiers[CHANNEL]
    engine = make_engine(url)
    try:
        started = time.perf_counter()
        report = dispatch(engine, notifiers, today, now, CADENCE_DAYS)
        ended = time.perf_counter()
        sent, distinct, first = sink.sent, len(sink.keys), sink.first_at or ended
        sink.reset()
        again_started = time.perf_counter()
        again = dispatch(engine, notifiers, today, now, CADENCE_DAYS)
        again_s = time.perf_counter() - again_started
    finally:
        engine.dispose()
    figures: dict[str, Any] = {
        "plan_s": first - started,
        "deliver_s": ended - first,
        "dispatch_s": ended - started,
        "planned": report.planned,
        "sent": sent,
        "distinct_keys": distinct,
        "failed": report.failed,
        "dispatch_again_s": again_s,
        "sent_again": sink.sent + again.sent,
    }
    return figures | _restart_ildpath(url, today, now)


def _restart_ildpath(url: str, today: date, now: Callable[[], datetime]) -> dict[str, Any]:
    notifiers = {CHANNEL: CountingNotifier()}
    started = time.perf_counter()
    engine = make_engine(url)
    scheduler = build_scheduler(url, JobTargets(IDLE, IDLE), ScheduleSettings())
    catch_up_started = time.perf_counter()
    report = dispatch(engine, notifiers, today, now, CADENCE_DAYS)
    catch_up_s = time.perf_counter() - catch_up_started
    with _first_wakeup(scheduler) as woke:
        scheduler.start()
        woke.wait(WAIT_LIMIT_S)
    restart_s = time.perf_counter() - started
    scheduler.shutdown(wait=True)
    upgrade_started = time.perf_counter()
    upgrade_schema(engine)
    upgrade_s = time.perf_counter() - upgrade_started
    engine.dispose()
    return {
        "restart_s": restart_s,
        "restart_catch_up_s": catch_up_s,
        "restart_sent": report.sent + notifiers[CHANNEL].sent,
        "restart_schema_upgrade_s": upgrade_s,
    }


# -- the alternative: one APScheduler date job per task ------------------------------------


class _CollectingJobStore(SQLAlchemyJobStore):
    """`SQLAlchemyJobStore.add_job` with the INSERT deferred: the same row values (id,
    next_run_time timestamp, pickled ``Job.__getstate__()``), written later in one
    executemany instead of one transaction per job."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine=engine, tablename="apscheduler_jobs")
        self.rows: list[dict[str, Any]] = []

    def add_job(self, job: Job) -> None:
        self.rows.append(
            {
                "id": job.id,
                "next_run_time": datetime_to_utc_timestamp(job.next_run_time),
                "job_state": pickle.dumps(job.__getstate__(), self.pickle_protocol),
            }
        )

    def flush(self) -> None:
        with self.engine.begin() as connection:
            for start in range(0, len(self.rows), CHUNK):
                connection.execute(self.jobs_t.insert(), self.rows[start : start + CHUNK])
        self.rows.clear()


def _populate_alternative(
    url: str, open_tasks: int, due: int, patients: int, today: date
) -> dict[str, float]:
    """Every job goes through ``add_job`` on a paused scheduler (so APScheduler builds and
    pickles it), only the INSERTs are batched."""
    started = time.perf_counter()
    wall = datetime.now(UTC)
    engine = make_engine(url)
    store = _CollectingJobStore(engine)
    scheduler = BackgroundScheduler(
        jobstores={"default": store}, job_defaults=JOB_DEFAULTS, timezone="UTC"
    )
    scheduler.start(paused=True)
    for task in range(open_tasks):
        days = _offset_days(task, open_tasks, due)
        scheduler.add_job(
            REMIND,
            "date",
            run_date=wall + timedelta(days=days) if days else wall - timedelta(minutes=1),
            id=f"task-{task}",
            args=[
                f"task:{task + 1}:due:{CHANNEL}",
                f"BENCH-{task % patients:06d}",
                TASK_KINDS[task % len(TASK_KINDS)],
                (today + timedelta(days=days)).isoformat(),
            ],
        )
    store.flush()
    # Detach the store first: a 3.x scheduler woken by shutdown() runs one more pass over its
    # stores even when stopped, which would run (and delete) the due jobs here.
    scheduler.remove_jobstore("default", shutdown=True)
    scheduler.shutdown(wait=True)
    return {"setup_s": time.perf_counter() - started}


def _job_count(url: str) -> int:
    """Rows in the job table, read on an engine of its own (the measured ones start cold)."""
    engine = make_engine(url)
    store = SQLAlchemyJobStore(engine=engine, tablename="apscheduler_jobs")
    try:
        with engine.connect() as connection:
            count = connection.execute(select(func.count()).select_from(store.jobs_t))
            return int(count.scalar_one())
    finally:
        engine.dispose()


def _alternative_scheduler(url: str) -> BackgroundScheduler:
    store = SQLAlchemyJobStore(engine=make_engine(url), tablename="apscheduler_jobs")
    return BackgroundScheduler(
        jobstores={"default": store}, job_defaults=JOB_DEFAULTS, timezone="UTC"
    )


def _measure_alternative(url: str, due: int) -> dict[str, Any]:
    jobs_before = _job_count(url)
    SINK.reset()
    started = time.perf_counter()
    scheduler = _alternative_scheduler(url)
    with _first_wakeup(scheduler) as woke:
        scheduler.start()
        _wait(lambda: SINK.sent >= due and woke.is_set(), "the due jobs")
    dispatch_s = time.perf_counter() - started
    scheduler.shutdown(wait=True)  # disposes the job store's engine
    ran, distinct = SINK.sent, len(SINK.keys)
    restart_jobs = _job_count(url)
    SINK.reset()
    started = time.perf_counter()
    scheduler = _alternative_scheduler(url)
    with _first_wakeup(scheduler) as woke:
        scheduler.start()
        woke.wait(WAIT_LIMIT_S)
    restart_s = time.perf_counter() - started
    scheduler.shutdown(wait=True)
    return {
        "jobs": jobs_before,
        "dispatch_s": dispatch_s,
        "ran": ran,
        "distinct_keys": distinct,
        "restart_s": restart_s,
        "restart_jobs": restart_jobs,
        "ran_at_restart": SINK.sent,
    }


# -- both ----------------------------------------------------------------------------------


def measure_scheduler(
    database_url: str,
    alternative_url: str,
    *,
    open_tasks: int = 100_000,
    due: int = 10_000,
    patients: int = 10_000,
    today: date,
) -> dict[str, Any]:
    """Populate two empty databases with the same ``open_tasks`` (``due`` of them due on
    ``today``), then measure ildpath at ``database_url`` and the one-job-per-task APScheduler
    at ``alternative_url``; returns the figures (module docstring) as a JSON-ready dict."""
    if not 0 < due <= open_tasks or patients < 1:
        raise ValueError("need 0 < due <= open_tasks and at least one patient")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    ours = _populate_ildpath(database_url, open_tasks, due, patients, today)
    ours |= _measure_ildpath(database_url, due, today)
    theirs = _populate_alternative(alternative_url, open_tasks, due, patients, today)
    theirs |= _measure_alternative(alternative_url, due)
    return {
        "database": make_url(database_url).get_backend_name(),
        "open_tasks": open_tasks,
        "due": due,
        "patients": patients,
        "today": today.isoformat(),
        "ildpath": ours,
        "apscheduler_one_job_per_task": theirs,
        "ratio_dispatch": theirs["dispatch_s"] / ours["dispatch_s"],
        "ratio_restart": theirs["restart_s"] / ours["restart_s"],
        "ratios_mean": "alternative's seconds / ildpath's seconds: > 1 means ildpath is faster",
        "target_dispatch_within_10s": ours["dispatch_s"] <= 10.0,
        "counts_ok": ours["sent"] == ours["distinct_keys"] == due
        and ours["sent_again"] == 0
        and ours["restart_sent"] == 0
        and theirs["ran"] == theirs["distinct_keys"] == due
        and theirs["ran_at_restart"] == 0,
    }


# -- command line --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite-dir", type=Path, help="where to make the two SQLite files")
    parser.add_argument("--postgres", help="a PostgreSQL server URL (two databases are made)")
    parser.add_argument("--open-tasks", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 3, 2))
    args = parser.parse_args(argv)
    if args.sqlite_dir is None and args.postgres is None:
        parser.error("give --sqlite-dir, --postgres or both")
    sizes = {"open_tasks": args.open_tasks, "due": args.due, "patients": args.patients}
    results: dict[str, Any] = {}
    if args.sqlite_dir is not None:
        args.sqlite_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=args.sqlite_dir) as work:
            results["sqlite"] = measure_scheduler(
                f"sqlite:///{work}/ildpath.db",
                f"sqlite:///{work}/apscheduler.db",
                today=args.today,
                **sizes,
            )
    if args.postgres is not None:
        server = Backend("postgresql", Path(tempfile.gettempdir()), args.postgres)
        ours, theirs = server.new_database("sched"), server.new_database("apsched")
        try:
            results["postgresql"] = measure_scheduler(ours, theirs, today=args.today, **sizes)
        finally:
            server.drop(ours)
            server.drop(theirs)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    # Run through the package module, not ``__main__``: the alternative's jobs name
    # "bench.scheduler_scale:remind", and its SINK must be the one measured.
    from bench import scheduler_scale

    raise SystemExit(scheduler_scale.main())
