"""(b) The daily re-evaluation of the whole cohort, beside a loop that only reads the same rows
with raw SQL (the bare driver, the same batches and queries), the floor of any evaluation that
reads the record. The daily run is timed in a child process so its peak memory is its own.

The run judges its batches in worker processes as the scheduler does
(`Settings.daily_workers`, once thousands of patients are to be judged); its processor time,
all processes together, is kept beside its wall time. Timed twice: judging everyone (the day
after an import, or under a new definition), then the scheduler's job on the day after that,
which carries the patients whose judgement cannot change without reading them
(`pathway.horizon`).

Run alone: ``python -m bench.reevaluation URL YYYY-MM-DD [everyone]`` prints its figures as
JSON.
"""

import json
import resource
import sys
import time
from datetime import date
from typing import Any

from sqlalchemy import func, select

from ildpath.bootstrap import bootstrap
from ildpath.clock import SimulatedClock
from ildpath.settings import Settings
from ildpath.usecases.daily_run import BATCH, run_daily_evaluation
from ildpath.usecases.heap import heap_set_aside
from persistence.tables import PatientRow

from .child import figures_of_child
from .databases import bare_connection

__all__ = ["daily_run_in_child", "raw_read_loop", "record_read_loop"]

_RECORD_QUERIES = {
    "phenotype_entry": "patient_id, id, field, value, clinical_on, recorded_on",
    "observation": "patient_id, id, kind, clinical_on, recorded_on, fvc_pct, dlco_pct, "
    "dlco_corrected_pct, fvc_l, iu_per_ml, oxygen, finding, extensive_ggo, ferritin, ck, kl6, "
    "crp, spo2, metres, nadir_spo2, copies_per_ml, comparator",
    "therapy_event": "patient_id, id, agent, action, clinical_on, recorded_on, route, "
    "dose, unit, every",
    "procedure": "patient_id, id, kind, clinical_on, recorded_on",
    "vaccination": "patient_id, id, kind, clinical_on, recorded_on",
    "transition": "patient_id, id, trigger, from_state, to_state, clinical_on, recorded_on, "
    "reason, outcome, closing_reason",
    "alert": "patient_id, id, code, key, raised_on, evidence",
    "care_task": "patient_id, id, key, kind, opened_on, due_on, status, closed_on",
}


def raw_read_loop(url: str, batch: int = BATCH) -> dict[str, Any]:
    """Read every active patient's record and tasks, a batch at a time, touching each row."""
    marker = "?" if url.startswith("sqlite") else "%s"
    rows = patients = 0
    started = time.perf_counter()
    with bare_connection(url) as connection:
        cursor = connection.cursor()
        after = 0
        while True:
            cursor.execute(
                "SELECT id, external_id, birth_date, enrolled_on, last_evaluated_on, audit_seq, "
                f"audit_head, version FROM patient WHERE state != 'closed' AND id > {marker} "
                f"ORDER BY id LIMIT {batch}",
                (after,),
            )
            heads = cursor.fetchall()
            if not heads:
                break
            ids = [h[0] for h in heads]
            params = ", ".join(marker for _ in ids)
            for table, columns in _RECORD_QUERIES.items():
                cursor.execute(
                    f'SELECT {columns} FROM "{table}" WHERE patient_id IN ({params}) '
                    "ORDER BY patient_id, id",
                    ids,
                )
                for _row in cursor:
                    rows += 1
            patients += len(heads)
            after = ids[-1]
        connection.rollback()
    return {"patients": patients, "rows": rows, "seconds": time.perf_counter() - started}


def record_read_loop(url: str, day: date, batch: int = BATCH) -> dict[str, Any]:
    """The daily run's own reading without its judging: every batch's records and task rows
    built into the pathway's values, through the store as the run reads them. It is the floor
    of any design that judges every patient every day, so the profile's split of the daily run
    (reading against judging) is part of the figures."""
    app = bootstrap(Settings(database_url=url), SimulatedClock(day), upgrade=False)
    patients = 0
    started = time.perf_counter()
    with heap_set_aside(), app.unit_of_work() as uow:
        after = 0
        while True:
            heads = uow.patients.to_judge(day, after, batch)
            if not heads:
                break
            ids = [head.id for head in heads]
            uow.patients.records(heads)
            uow.patients.stored_tasks(ids)
            patients += len(heads)
            after = ids[-1]
    seconds = time.perf_counter() - started
    app.engine.dispose()
    return {"patients": patients, "seconds": seconds}


def _peak_rss_kib() -> int:
    """This process's own peak resident memory. Linux carries the launching process's peak
    over ``exec`` into ``ru_maxrss`` (the benchmark's parent holds the raw baseline's rows,
    gigabytes at 100k), so the child's ``VmHWM``, which starts afresh at ``exec``, is read
    where there is one."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _run(url: str, day: date, everyone: bool) -> dict[str, Any]:
    """The run's figures. Its batches may be judged in worker processes (`Settings.
    daily_workers`): their processor time is added to this process's, and their peak memory
    counted once per worker, so the figures hold whatever the run did side by side."""
    app = bootstrap(Settings(database_url=url), SimulatedClock(day), upgrade=False)
    started = time.perf_counter()
    processor = _processor_seconds()
    judged = run_daily_evaluation(app, day, everyone=everyone)
    seconds = time.perf_counter() - started
    processor = _processor_seconds() - processor
    workers_peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    workers = app.settings.daily_workers if workers_peak_kib else 0
    peak_kib = _peak_rss_kib() + workers * workers_peak_kib
    with app.engine.connect() as db:
        done = db.execute(
            select(func.count()).where(PatientRow.last_evaluated_on == day)
        ).scalar_one()
    app.engine.dispose()
    return {
        "judged": judged,
        "carried": done - judged,
        "seconds": seconds,
        "processor_seconds": processor,
        "workers": workers,
        "peak_rss_mib": peak_kib / 1024,
    }


def _processor_seconds() -> float:
    """User and system time of this process and of its children that have ended."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def daily_run_in_child(url: str, day: date, *, everyone: bool = False) -> dict[str, Any]:
    """The scheduler's daily job for ``day`` (or judging ``everyone``), in a fresh Python
    process."""
    return figures_of_child(
        "bench.reevaluation", url, day.isoformat(), *(["everyone"] if everyone else [])
    )


if __name__ == "__main__":
    print(json.dumps(_run(sys.argv[1], date.fromisoformat(sys.argv[2]), "everyone" in sys.argv)))
