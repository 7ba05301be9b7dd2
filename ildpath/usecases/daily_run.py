"""The daily re-evaluation of the whole cohort, streamed a batch of patients at a time.

A regional cohort is 100,000 patients: one transaction and a dozen queries per patient would
spend the run in round trips. So each batch is read with one query per table, every patient
is judged exactly as after a person's entry (`judging.judge`: same alerts, task changes and
audit trail, in the same order), and the batch's changes go to the one writer together, which
writes each table with one statement. Only a batch is ever in memory.

Most patients' judgement cannot change on most days (`pathway.horizon`): each judged patient
keeps the last day through which it is quiet, and while its record and the definition are the
ones judged, the run only carries its day forward with one statement for the whole cohort,
without reading it. ``everyone=True`` judges every patient all the same.

Judging is pure Python, one core per process: when thousands of patients are to be judged
(an import, a new definition, a large cohort's day), the batches are judged in several
processes side by side (`worker_processes`), each batch its own transaction.

A patient changed by someone else while its batch was judged (its version moved) makes the
batch roll back and be judged again one patient at a time, so the run never overwrites a
colleague's write and never stops on one. A patient already judged for the day is skipped, so
a scheduler restarting at noon does not judge the cohort twice.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.exc import IntegrityError, OperationalError

from pathway.horizon import basis, quiet_until
from persistence.changes import PatientChanges
from persistence.errors import ConcurrencyConflict
from persistence.patients import Patient
from persistence.ports import UnitOfWork

from ..bootstrap import App
from .evaluation import evaluate_patient
from .heap import collector_paused, heap_set_aside
from .judging import judge
from .worker_processes import in_worker_processes

__all__ = [
    "BATCH",
    "WORKERS_FROM",
    "judge_batch",
    "latest_quiet_day",
    "run_daily_evaluation",
]

BATCH = 500
"""Patients per transaction: large enough that a query per table is cheap per patient, small
enough that a batch's rows stay a few megabytes and a writer waits at most a fraction of a
second for the batch to commit."""

WORKERS_FROM = 4000
"""Patients to judge from which the run's batches are judged in several processes: starting
a worker (a fresh interpreter importing the application) costs about as much as judging a
few thousand patients, so a small clinic's ordinary day is judged in the scheduler's own
process. Told in batches as the run goes: no count is asked of the database first."""


def run_daily_evaluation(
    app: App,
    as_of: date | None = None,
    *,
    batch: int = BATCH,
    from_id: int = 1,
    everyone: bool = False,
    workers: int | None = None,
) -> int:
    """Judge every patient not closed and not yet judged on ``as_of`` (default today): the
    days missed since their last run, then ``as_of`` itself. Returns how many were judged;
    those still quiet are carried to ``as_of`` unread, unless ``everyone``. ``from_id`` starts
    at a patient row (a bulk import judges the patients it wrote). The batches are judged in
    ``workers`` processes (default: `Settings.daily_workers` once `WORKERS_FROM` patients
    are to be judged, else this one)."""
    day = as_of or app.clock.today()
    quiet_basis = basis(app.definition, app.settings.longest_quiet_days)
    if not everyone:
        with app.unit_of_work() as uow:
            uow.patients.carry_quiet(day, quiet_basis, from_id)
    least = 2 if workers is not None else -(-WORKERS_FROM // batch)
    workers = app.settings.daily_workers if workers is None else workers
    batches = _batches(app, day, from_id - 1, batch, quiet_basis)
    with heap_set_aside():
        return sum(in_worker_processes(app, judge_batch, batches, workers, least=least))


@dataclass(frozen=True)
class _Batch:
    """The patients after row ``after`` up to row ``last`` still to be judged on ``day``: a
    piece of the run that any worker can judge on its own."""

    day: date
    after: int
    last: int
    size: int
    quiet_basis: str


def _batches(app: App, day: date, after: int, size: int, quiet_basis: str) -> Iterator[_Batch]:
    """The run's batches, each found when it is needed (only its last row id is kept)."""
    while True:
        with app.unit_of_work() as uow:
            found = uow.patients.ids_to_judge(day, after, size)
        if not found:
            return
        yield _Batch(day, after, found[-1], size, quiet_basis)
        after = found[-1]


def judge_batch(app: App, piece: _Batch) -> int:
    """Judge one batch in one transaction; returns how many patients it held. A patient
    changed by someone else meanwhile (its version moved) rolls the batch back, and its
    patients are judged again one at a time."""
    patients: list[Patient] = []
    try:
        with collector_paused(), app.unit_of_work() as uow:
            patients = uow.patients.to_judge(piece.day, piece.after, piece.size, piece.last)
            if patients:
                uow.patients.write(_judged(app, uow, patients, piece), app.clock.now)
    except (ConcurrencyConflict, OperationalError):
        # someone wrote to a patient of the batch meanwhile (SQLite: after our snapshot)
        for patient in patients:
            _judge_alone(app, patient.external_id, piece.day)
    return len(patients)


def latest_quiet_day(patient_id: int, day: date, longest: int) -> date:
    """The last day a patient judged on ``day`` may be carried unread whatever its dates say:
    the day before its next turn, one patient in ``longest`` taking its turn each day. Judging
    everyone (an import, a new definition) thus never makes the whole cohort due again on the
    same day."""
    if longest <= 0:
        return day
    turn = day + timedelta(days=1)
    turn += timedelta(days=-(turn.toordinal() + patient_id) % longest)
    return turn - timedelta(days=1)


def _judged(
    app: App, uow: UnitOfWork, patients: list[Patient], piece: _Batch
) -> list[PatientChanges]:
    """Each patient of the batch judged on the batch's day, with the day through which its
    judgement cannot change (`pathway.horizon`)."""
    definition, day, today = app.definition, piece.day, app.clock.today()
    longest = app.settings.longest_quiet_days
    ids = [patient.id for patient in patients]
    records = uow.patients.records(patients)
    stored = uow.patients.stored_tasks(ids)
    batch = []
    for patient in patients:
        judgement = judge(
            records[patient.id],
            stored.get(patient.id, ()),
            patient.last_evaluated_on,
            day,
            today,
            definition,
            daily=True,
        )
        latest = latest_quiet_day(patient.id, day, longest)
        sets = {
            "last_evaluated_on": day,
            "quiet_until": quiet_until(judgement.record, judgement.evaluation, definition, latest),
            "quiet_version": patient.version + 1,
            "quiet_basis": piece.quiet_basis,
        }
        batch.append(PatientChanges(patient, judgement.items, today, definition.version, sets))
    return batch


def _judge_alone(app: App, external_id: str, day: date) -> None:
    """Judge one patient in its own transaction (after its batch met a concurrent write)."""
    for attempt in range(3):
        try:
            evaluate_patient(app, external_id, day)
            return
        except (ConcurrencyConflict, IntegrityError, OperationalError):
            if attempt == 2:
                raise
