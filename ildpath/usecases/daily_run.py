"""The daily re-evaluation of the whole cohort, streamed a batch of patients at a time.

A regional cohort is 100,000 patients: one transaction and a dozen queries per patient would
spend the run in round trips and ORM objects. So each batch is read with one query per table
as plain rows (`persistence.records.load_records`), every patient is judged exactly as the
per-patient use case judges it (`changes`: same alerts, task changes and audit trail, in the
same order), and the batch's changes are written with one statement per table. Only a batch
is ever in memory.

Most patients' judgement cannot change on most days (`pathway.horizon`): each judged patient
keeps the last day through which it is quiet, and while its record and the definition are the
ones judged, the run only carries its day forward with one statement for the whole cohort,
without reading it. ``everyone=True`` judges every patient all the same.

Judging is pure Python, one core per process: when thousands of patients are to be judged
(an import, a new definition, a large cohort's day), the batches are judged in several
processes side by side (`side_by_side`), each batch its own transaction as before.

A patient changed by someone else while its batch was judged (its version moved) makes the
batch roll back and be judged again one patient at a time, so the run never overwrites a
colleague's write and never stops on one. A patient already judged for the day is skipped, so
a scheduler restarting at noon does not judge the cohort twice.
"""

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Row, bindparam, insert, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from pathway import evaluate
from pathway.findings import Alert
from pathway.horizon import basis, quiet_until
from persistence.audit import ChainHead, next_event
from persistence.errors import ConcurrencyConflict
from persistence.records import load_records
from persistence.tables import AlertRow, AuditEventRow, PatientRow

from ..bootstrap import App
from .changes import (
    AuditNote,
    TaskChange,
    alert_note,
    judge_missed_days,
    missed_days,
    task_changes,
    unraised,
)
from .evaluation import evaluate_patient
from .heap import heap_set_aside
from .side_by_side import done_side_by_side
from .task_rows import TaskUpdates, read_stored_tasks, task_row, write_task_rows
from .work import ENGINE

__all__ = [
    "BATCH",
    "SIDE_BY_SIDE_FROM",
    "batch_heads",
    "carry_quiet_patients",
    "judge_batch",
    "run_daily_evaluation",
]

BATCH = 500
"""Patients per transaction: large enough that a query per table is cheap per patient, small
enough that a batch's rows stay a few megabytes and a writer waits at most a fraction of a
second for the batch to commit."""

SIDE_BY_SIDE_FROM = 4000
"""Patients to judge from which the run's batches are judged in several processes. Starting
the workers (fresh interpreters importing the application) took 1.25 s for two, and a patient
takes some 0.8 ms to judge, so two workers repay their start from about 3,000 patients; a
small clinic's ordinary day judges fewer, in the scheduler's own process. Told in batches
(eight of 500), found as the run goes: no count is asked of the database first."""

_PATIENT = PatientRow.__table__  # type: ignore[attr-defined]
_ALERT = AlertRow.__table__  # type: ignore[attr-defined]
_AUDIT = AuditEventRow.__table__  # type: ignore[attr-defined]


@dataclass
class _Judged:
    """One patient's outcome: the alerts to raise (with their day) and the task changes."""

    head: Row[Any]
    quiet_until: date | None = None
    alerts: list[tuple[date, Alert]] = field(default_factory=list)
    tasks: list[TaskChange] = field(default_factory=list)


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
    ``workers`` processes (default: `Settings.daily_workers` once `SIDE_BY_SIDE_FROM` patients
    are to be judged, else this one)."""
    day = as_of or app.clock.today()
    quiet_basis = basis(app.definition, app.settings.longest_quiet_days)
    if not everyone:
        with app.transaction() as session:
            carry_quiet_patients(session, day, quiet_basis, from_id)
    least = 2 if workers is not None else -(-SIDE_BY_SIDE_FROM // batch)
    workers = app.settings.daily_workers if workers is None else workers
    batches = _batches(app, day, from_id - 1, batch, quiet_basis)
    with heap_set_aside():
        return sum(done_side_by_side(app, judge_batch, batches, workers, least=least))


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
        with app.transaction() as session:
            ids = (
                session.execute(
                    select(_PATIENT.c.id)
                    .where(*_still_to_judge(day, after))
                    .order_by(_PATIENT.c.id)
                    .limit(size)
                )
                .scalars()
                .all()
            )
        if not ids:
            return
        yield _Batch(day, after, ids[-1], size, quiet_basis)
        after = ids[-1]


def judge_batch(app: App, piece: _Batch) -> int:
    """Judge one batch in one transaction; returns how many patients it held. A patient
    changed by someone else meanwhile (its version moved) rolls the batch back, and its
    patients are judged again one at a time."""
    heads: Sequence[Row[Any]] = ()
    try:
        with app.transaction() as session:
            heads = batch_heads(session, piece.day, piece.after, piece.size, piece.last)
            if heads:
                _judge_batch(app, session, heads, piece.day, piece.quiet_basis)
    except (ConcurrencyConflict, OperationalError):
        # someone wrote to a patient of the batch meanwhile (SQLite: after our snapshot)
        for head in heads:
            _judge_alone(app, head.external_id, piece.day)
    return len(heads)


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


def carry_quiet_patients(session: Session, day: date, quiet_basis: str, from_id: int = 1) -> int:
    """Mark judged on ``day``, without reading them, the patients whose judgement cannot have
    changed: quiet through ``day``, nobody wrote to them since (their version is the one
    judged), and judged under this definition. Returns how many."""
    statement = (
        update(_PATIENT)
        .where(
            _PATIENT.c.id >= from_id,
            _PATIENT.c.state != "closed",
            or_(_PATIENT.c.last_evaluated_on.is_(None), _PATIENT.c.last_evaluated_on < day),
            _PATIENT.c.quiet_until >= day,
            _PATIENT.c.quiet_version == _PATIENT.c.version,
            _PATIENT.c.quiet_basis == quiet_basis,
        )
        .values(last_evaluated_on=day)
    )
    return session.execute(statement).rowcount


def _still_to_judge(day: date, after: int) -> tuple[Any, ...]:
    """Patients after row ``after``, not closed, not yet judged on ``day``."""
    return (
        _PATIENT.c.state != "closed",
        _PATIENT.c.id > after,
        or_(_PATIENT.c.last_evaluated_on.is_(None), _PATIENT.c.last_evaluated_on < day),
    )


def batch_heads(
    session: Session, day: date, after: int, batch: int, last: int | None = None
) -> Sequence[Row[Any]]:
    """The next patients after row ``after`` (up to row ``last``) still to be judged on
    ``day``."""
    bounds = () if last is None else (_PATIENT.c.id <= last,)
    query = (
        select(
            _PATIENT.c.id,
            _PATIENT.c.external_id,
            _PATIENT.c.birth_date,
            _PATIENT.c.enrolled_on,
            _PATIENT.c.last_evaluated_on,
            _PATIENT.c.audit_seq,
            _PATIENT.c.audit_head,
            _PATIENT.c.version,
        )
        .where(*_still_to_judge(day, after), *bounds)
        .order_by(_PATIENT.c.id)
        .limit(batch)
    )
    return session.execute(query).all()


def _judge_batch(
    app: App, session: Session, heads: Sequence[Row[Any]], day: date, quiet_basis: str
) -> None:
    definition = app.definition
    longest = app.settings.longest_quiet_days
    today = app.clock.today()
    ids = [head.id for head in heads]
    records = load_records(session, heads)
    stored = read_stored_tasks(session, ids)
    outcomes: list[_Judged] = []
    for head in heads:
        outcome = _Judged(head)
        days = missed_days(head.last_evaluated_on, head.enrolled_on, day)
        outcome.alerts, record = judge_missed_days(records[head.id], days, definition)
        evaluation = evaluate(record, day, definition)
        known = (a.key for a in record.alerts)
        outcome.alerts += [(day, alert) for alert in unraised(known, evaluation.alerts)]
        outcome.tasks = list(task_changes(stored.get(head.id, ()), evaluation.tasks, today))
        latest = latest_quiet_day(head.id, day, longest)
        outcome.quiet_until = quiet_until(record, evaluation, definition, latest)
        outcomes.append(outcome)
    _write(app, session, outcomes, day, quiet_basis)


def _write(
    app: App, session: Session, outcomes: list[_Judged], day: date, quiet_basis: str
) -> None:
    """The batch's changes, one statement per table; the patients' version check last, so a
    patient written meanwhile rolls the whole batch back."""
    alert_ids = iter(_insert_alerts(app, session, outcomes))
    events: list[dict[str, Any]] = []
    new_tasks: list[dict[str, Any]] = []
    task_updates: TaskUpdates = defaultdict(list)
    patients: list[dict[str, Any]] = []
    for outcome in outcomes:
        head = outcome.head
        chain = ChainHead(head.id, head.audit_seq, head.audit_head)
        notes = [alert_note(next(alert_ids), alert, on) for on, alert in outcome.alerts]
        for change in outcome.tasks:
            notes.append(change.note)
            task_row(head.id, change, app.clock.now(), new_tasks, task_updates)
        events += (_event(app, chain, note) for note in notes)
        patients.append(
            {
                "_id": head.id,
                "_version": head.version,
                "last_evaluated_on": day,
                "audit_seq": chain.seq,
                "audit_head": chain.hash,
                "version": head.version + 1,
                "quiet_until": outcome.quiet_until,
                "quiet_version": head.version + 1,
                "quiet_basis": quiet_basis,
            }
        )
    write_task_rows(session, new_tasks, task_updates)
    if events:
        session.execute(insert(_AUDIT), events)
    _update_patients(session, patients)


def _insert_alerts(app: App, session: Session, outcomes: list[_Judged]) -> Iterator[int]:
    rows = [
        {
            "patient_id": outcome.head.id,
            "code": alert.code,
            "key": alert.key,
            "severity": alert.severity.value,
            "message": alert.message,
            "source": alert.source,
            "pathway_version": alert.version,
            "raised_on": on,
            "raised_at": app.clock.now(),
            "evidence": list(alert.evidence),
        }
        for outcome in outcomes
        for on, alert in outcome.alerts
    ]
    if not rows:
        return iter(())
    statement = insert(_ALERT).returning(_ALERT.c.id, sort_by_parameter_order=True)
    return iter([row.id for row in session.execute(statement, rows)])


def _event(app: App, chain: ChainHead, note: AuditNote) -> dict[str, Any]:
    return next_event(
        chain,
        kind=note.kind,
        actor=ENGINE.name,
        role=ENGINE.role,
        recorded_at=app.clock.now(),
        pathway_version=app.definition.version,
        payload=note.payload,
        clinical_on=note.clinical_on,
    )


def _update_patients(session: Session, patients: list[dict[str, Any]]) -> None:
    """Move each patient's day, audit head and version, only if its version is still the one
    read; otherwise someone wrote meanwhile, and the batch is judged again patient by
    patient."""
    statement = (
        update(_PATIENT)
        .where(_PATIENT.c.id == bindparam("_id"), _PATIENT.c.version == bindparam("_version"))
        .values(
            last_evaluated_on=bindparam("last_evaluated_on"),
            audit_seq=bindparam("audit_seq"),
            audit_head=bindparam("audit_head"),
            version=bindparam("version"),
            quiet_until=bindparam("quiet_until"),
            quiet_version=bindparam("quiet_version"),
            quiet_basis=bindparam("quiet_basis"),
        )
    )
    if session.get_bind().dialect.supports_sane_multi_rowcount:
        changed = session.execute(statement, patients).rowcount
    else:
        changed = sum(session.execute(statement, [row]).rowcount for row in patients)
    if changed != len(patients):
        raise ConcurrencyConflict("a patient of the batch was changed during the daily run")


def _judge_alone(app: App, external_id: str, day: date) -> None:
    """Judge one patient in its own transaction (after its batch met a concurrent write)."""
    for attempt in range(3):
        try:
            evaluate_patient(app, external_id, day)
            return
        except (ConcurrencyConflict, IntegrityError, OperationalError):
            if attempt == 2:
                raise
