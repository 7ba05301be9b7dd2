"""The daily run judges the cohort a batch at a time (one query per table, one statement per
change kind); it must store exactly what judging each patient alone stores: the same alerts
on the same days, the same task rows, the same audit events in the same order, intact chains.
Compared on the demo's 25 archetypal courses replayed with a weekly job (so missed days are
caught up), on SQLite and PostgreSQL."""

import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session

from ildpath import jobs
from ildpath.bootstrap import bootstrap
from ildpath.clock import SimulatedClock
from ildpath.demo.cohort import plan_cohort
from ildpath.demo.courses import ARCHETYPES
from ildpath.demo.replay import Replay
from ildpath.settings import Settings
from ildpath.usecases import daily_run, evaluate_patient, worker_processes
from persistence.audit import verify_chains
from persistence.audit_key import load_keyring
from persistence.sql_store import SqlPatients
from persistence.tables import AlertRow, AuditEventRow, CareTaskRow, PatientRow

END = date(2026, 11, 20)
SEED = 11


def _stored(database_url: str, batch_run: Any, job_every_days: int = 7) -> dict[str, Any]:
    plans = plan_cohort(len(ARCHETYPES), SEED, END)
    app = bootstrap(Settings(database_url=database_url), SimulatedClock(END))
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(jobs, "run_daily_evaluation", batch_run)
            Replay(app, plans, SEED, END, job_every_days=job_every_days).run()
        with Session(app.engine) as session:
            assert list(verify_chains(session, load_keyring())) == []
        with app.engine.connect() as db:
            pid = PatientRow.external_id
            alerts = db.execute(
                select(pid, AlertRow.code, AlertRow.key, AlertRow.raised_on, AlertRow.evidence)
                .join(PatientRow, PatientRow.id == AlertRow.patient_id)
                .order_by(AlertRow.id)
            ).all()
            tasks = db.execute(
                select(
                    pid,
                    CareTaskRow.key,
                    CareTaskRow.status,
                    CareTaskRow.opened_on,
                    CareTaskRow.due_on,
                    CareTaskRow.closed_on,
                )
                .join(PatientRow, PatientRow.id == CareTaskRow.patient_id)
                .order_by(pid, CareTaskRow.key)
            ).all()
            events = db.execute(
                select(pid, AuditEventRow.seq, AuditEventRow.kind, AuditEventRow.payload)
                .join(PatientRow, PatientRow.id == AuditEventRow.patient_id)
                .order_by(pid, AuditEventRow.seq)
            ).all()
            patients = db.execute(
                select(pid, PatientRow.state, PatientRow.last_evaluated_on).order_by(pid)
            ).all()
    finally:
        app.engine.dispose()
    return {
        "alerts": [(*a[:4], tuple(a[4])) for a in alerts],
        "tasks": [tuple(t) for t in tasks],
        "events": [(e[0], e[1], e[2], json.loads(e[3])) for e in events],
        "patients": [tuple(p) for p in patients],
    }


def _each_alone(app: Any, as_of: date | None = None) -> int:
    """The reference: every active patient judged alone, one transaction each."""
    day = as_of or app.clock.today()
    with app.engine.connect() as db:
        ids = (
            db.execute(
                select(PatientRow.external_id)
                .where(PatientRow.state != "closed")
                .order_by(PatientRow.id)
            )
            .scalars()
            .all()
        )
    for external_id in ids:
        evaluate_patient(app, external_id, day)
    return len(ids)


def _small_batches(app: Any, as_of: date | None = None) -> int:
    return daily_run.run_daily_evaluation(app, as_of, batch=4)


def test_batched_daily_run_stores_what_judging_each_patient_alone_stores(
    database_url: str, tmp_path: Any
) -> None:
    alone = _stored(f"sqlite:///{tmp_path / 'alone.db'}", _each_alone)
    batched = _stored(database_url, _small_batches)
    assert batched["alerts"] == alone["alerts"]
    assert batched["tasks"] == alone["tasks"]
    assert batched["events"] == alone["events"]
    assert batched["patients"] == alone["patients"]
    assert len(alone["alerts"]) > 20 and len(alone["events"]) > 500


def test_carrying_quiet_patients_stores_what_judging_everyone_every_day_stores(
    database_url: str, tmp_path: Any
) -> None:
    """Patients whose judgement cannot change are carried to the day unread; the alerts, tasks,
    audit trail and days stored are those of judging every patient every day."""
    carried: list[int] = []

    def quiet_carried(app: Any, as_of: date | None = None) -> int:
        with pytest.MonkeyPatch.context() as patch:
            carry = SqlPatients.carry_quiet

            def counted(*args: Any, **kwargs: Any) -> int:
                carried.append(carry(*args, **kwargs))
                return carried[-1]

            patch.setattr(SqlPatients, "carry_quiet", counted)
            return daily_run.run_daily_evaluation(app, as_of, batch=4)

    def everyone(app: Any, as_of: date | None = None) -> int:
        return daily_run.run_daily_evaluation(app, as_of, everyone=True)

    judged_all = _stored(f"sqlite:///{tmp_path / 'everyone.db'}", everyone, job_every_days=1)
    quiet = _stored(database_url, quiet_carried, job_every_days=1)
    assert quiet["alerts"] == judged_all["alerts"]
    assert quiet["tasks"] == judged_all["tasks"]
    assert quiet["events"] == judged_all["events"]
    assert quiet["patients"] == judged_all["patients"]
    assert sum(carried) > len(carried)  # most days, some patients were not read at all


def test_batches_judged_in_worker_processes_store_what_judging_each_patient_alone_stores(
    database_url: str, tmp_path: Any
) -> None:
    """The daily run's batches judged side by side in two worker processes (each its own
    transaction and connection) store what one process judging each patient alone stores.
    A quarterly job, so each run catches up months of a course and starts its workers anew."""
    submitted: list[object] = []

    class CountedPool(worker_processes.ProcessPoolExecutor):
        def submit(self, *args: Any, **kwargs: Any) -> Any:
            submitted.append(args[-1])
            return super().submit(*args, **kwargs)

    def two_workers(app: Any, as_of: date | None = None) -> int:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(worker_processes, "ProcessPoolExecutor", CountedPool)
            return daily_run.run_daily_evaluation(app, as_of, batch=3, workers=2)

    alone = _stored(f"sqlite:///{tmp_path / 'alone.db'}", _each_alone, job_every_days=91)
    workers = _stored(database_url, two_workers, job_every_days=91)

    def by_patient(rows: list[Any]) -> list[Any]:  # alert ids interleave between workers
        return sorted(rows, key=lambda row: row[0])

    assert by_patient(workers["alerts"]) == by_patient(alone["alerts"])
    assert workers["tasks"] == alone["tasks"]
    assert workers["events"] == alone["events"]
    assert workers["patients"] == alone["patients"]
    assert len(submitted) > 8 * 2  # every run's batches went to the workers
