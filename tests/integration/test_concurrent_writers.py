"""Optimistic concurrency: two people writing to the same patient at once never overwrite
each other; one succeeds, the other is told to reload."""

import threading
from datetime import date

import pytest
from sqlalchemy import text

from ildpath.usecases import (
    Outcome,
    TriggerCommand,
    fire_trigger,
    record_observation,
    record_therapy,
    triggers,
    work,
)
from persistence.changes import Audit, AuditOnly
from persistence.errors import ConcurrencyConflict

from .apps import CLINICIAN, clinic, enrol

DAY = date(2026, 3, 2)


def _both_read_before_either_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hold each writer after it has read the patient until the other has read it too."""
    barrier = threading.Barrier(2, timeout=20)
    original = work.PatientWork.open.__func__  # type: ignore[attr-defined]

    def open_then_wait(cls, app, uow, external_id, actor, expected_version=None, **options):  # type: ignore[no-untyped-def]
        held = original(cls, app, uow, external_id, actor, expected_version, **options)
        barrier.wait()
        return held

    monkeypatch.setattr(work.PatientWork, "open", classmethod(open_then_wait))


def _race(app) -> list[object]:  # type: ignore[no-untyped-def]
    outcomes: list[object] = []

    def writer(fvc: int) -> None:
        try:
            outcomes.append(
                record_observation(app, "P-001", "pft", {"fvc_pct": fvc}, DAY, CLINICIAN)
            )
        except ConcurrencyConflict as conflict:
            outcomes.append(conflict)

    threads = [threading.Thread(target=writer, args=(fvc,)) for fvc in (70, 71)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_concurrent_writers_give_one_success_and_one_conflict_on_postgres(
    postgres_url, monkeypatch
):
    with clinic(postgres_url, DAY) as (app, _):
        enrol(app)
        _both_read_before_either_writes(monkeypatch)
        outcomes = _race(app)
        assert len(outcomes) == 2
        assert sum(isinstance(o, ConcurrencyConflict) for o in outcomes) == 1
        assert sum(isinstance(o, Outcome) for o in outcomes) == 1
        with app.engine.connect() as connection:
            stored = connection.execute(text("SELECT count(*) FROM observation")).scalar_one()
        assert stored == 1


def test_stale_write_is_a_conflict_not_an_overwrite(database_url):
    with clinic(database_url, DAY) as (app, _):
        enrol(app)
        with pytest.raises(ConcurrencyConflict, match="reload"), app.unit_of_work() as slow:
            stale = work.PatientWork.open(app, slow, "P-001", CLINICIAN)
            record_observation(app, "P-001", "pft", {"fvc_pct": 70}, DAY, CLINICIAN)
            amended = Audit("phenotype_amended", {"weight_kg": 99}, DAY, CLINICIAN)
            stale.write([AuditOnly(amended)], {"weight_kg": 99})
        with app.engine.connect() as connection:
            weight = connection.execute(text("SELECT weight_kg FROM patient")).scalar_one()
        assert weight == 60


def _tables(app) -> dict[str, list[tuple[object, ...]]]:  # type: ignore[no-untyped-def]
    with app.engine.connect() as connection:
        return {
            table: [tuple(row) for row in connection.execute(text(f"SELECT * FROM {table}"))]
            for table in ("patient", "transition", "audit_event", "care_task", "alert")
        }


@pytest.mark.parametrize("meanwhile", ["version moved", "observation recorded"])
@pytest.mark.writes_outside_the_writer  # another writer moves the version
def test_a_write_between_the_transitions_read_and_write_is_a_conflict(
    database_url, monkeypatch, meanwhile
):
    """fire_trigger reads the patient, judges, then writes: another writer committing in
    between (the patient's version moved, or a whole use case with its audit event) makes
    the transition a conflict, and the transition writes nothing."""
    with clinic(database_url, DAY) as (app, _):
        enrol(app)
        record_therapy(app, "P-001", "start", "prednisone", DAY, CLINICIAN, dose_mg_per_day=60)
        judge = triggers.judge_trigger
        written: dict[str, list[tuple[object, ...]]] = {}

        def judge_while_someone_writes(*args, **kwargs):  # type: ignore[no-untyped-def]
            if meanwhile == "version moved":
                with app.engine.begin() as other:
                    other.execute(text("UPDATE patient SET version = version + 1"))
            else:
                record_observation(app, "P-001", "pft", {"fvc_pct": 70}, DAY, CLINICIAN)
            written.update(_tables(app))
            return judge(*args, **kwargs)

        monkeypatch.setattr(triggers, "judge_trigger", judge_while_someone_writes)
        command = TriggerCommand("start_induction", DAY, "test")
        with pytest.raises(ConcurrencyConflict, match="reload"):
            fire_trigger(app, "P-001", command, CLINICIAN)
        assert written["transition"] == []
        assert _tables(app) == written
