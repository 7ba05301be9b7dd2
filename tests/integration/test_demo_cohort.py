"""The demo cohort: one patient per archetype covers every state, alert, task, closing reason
and recommendation of the pathway; the same seed rebuilds the same database."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel

from ildpath.bootstrap import App, bootstrap
from ildpath.clock import SimulatedClock
from ildpath.demo import DemoSummary, build_demo
from ildpath.demo.cohort import plan_cohort
from ildpath.demo.courses import ARCHETYPES
from ildpath.settings import Settings
from ildpath.usecases import patient_summary
from ildpath.usecases.audit import verify_audit
from pathway.catalogue import CLOSING_REASONS
from pathway.codes import ALERTS, RECOMMENDATIONS, TASKS
from pathway.machine import STATES
from persistence.installation import installation_id
from persistence.tables import AlertRow, CareTaskRow, PatientRow

END = date(2026, 11, 20)
SEED = 11
SIZE = len(ARCHETYPES)


def _build(path: Path, seed: int = SEED) -> tuple[App, DemoSummary]:
    app = bootstrap(Settings(database_url=f"sqlite:///{path}"), SimulatedClock(END))
    return app, build_demo(app, SIZE, seed, end=END)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[App, DemoSummary]]:
    app, summary = _build(tmp_path_factory.mktemp("demo") / "demo.db")
    yield app, summary
    app.engine.dispose()


def _column(app: App, *columns: Any) -> set[Any]:
    with app.engine.connect() as connection:
        return set(connection.execute(select(*columns)))


def _database(app: App) -> dict[str, list[str]]:
    """Every row of every table, in id order: ids, dates, values, timestamps, hashes. The
    installation's id is random by design (reminder keys and checkpoints name it, so two
    databases never share one): it is read as a placeholder, and its own table left out."""
    installation = installation_id(app.engine) or "no installation"
    with app.engine.connect() as connection:
        return {
            table.name: [
                repr(tuple(row)).replace(installation, "<installation>")
                for row in connection.execute(table.select().order_by(*table.primary_key))
            ]
            for table in SQLModel.metadata.sorted_tables
            if table.name != "installation"
        }


def test_one_patient_per_archetype_and_every_state_occupied_at_the_end(demo) -> None:
    _, summary = demo
    assert summary.patients == SIZE <= 25
    assert summary.days > 365
    assert summary.events > 20 * SIZE
    assert set(summary.states) == set(STATES)
    assert all(summary.states[state] > 0 for state in STATES), summary.states


def test_every_alert_code_is_raised_and_some_critical_ones_acknowledged(demo) -> None:
    app, _ = demo
    assert {code for (code,) in _column(app, AlertRow.code)} == set(ALERTS)
    acknowledged = _column(app, AlertRow.code, AlertRow.acknowledged_by, AlertRow.severity)
    assert {by for _, by, _ in acknowledged} >= {"demo-clinician", None}
    assert all(severity == "critical" for _, by, severity in acknowledged if by is not None)


def test_every_task_kind_is_opened_and_most_are_done(demo) -> None:
    app, _ = demo
    tasks = _column(app, CareTaskRow.id, CareTaskRow.kind, CareTaskRow.status)
    assert {kind for _, kind, _ in tasks} == set(TASKS)
    done = sum(status == "done" for _, _, status in tasks)
    assert done > len(tasks) / 2


def test_every_closing_reason_is_used(demo) -> None:
    app, _ = demo
    reasons = _column(app, PatientRow.closing_reason)
    assert reasons - {(None,)} == {(reason,) for reason in CLOSING_REASONS}


def test_every_recommendation_is_shown_on_the_last_day(demo) -> None:
    app, _ = demo
    shown: set[str] = set()
    for (patient_id,) in _column(app, PatientRow.external_id):
        evaluation = patient_summary(app, patient_id, END).evaluation
        shown |= {r.code for r in evaluation.recommendations}
    assert shown == set(RECOMMENDATIONS)


def test_patients_are_synthetic_and_numbered_in_order_of_enrolment(demo) -> None:
    app, _ = demo
    rows = sorted(_column(app, PatientRow.external_id, PatientRow.enrolled_on))
    assert [pid for pid, _ in rows] == [f"DEMO-{n:04d}" for n in range(1, SIZE + 1)]
    assert [day for _, day in rows] == sorted(day for _, day in rows)
    assert (END - rows[0][1]).days <= 455


def test_audit_trail_of_the_demo_verifies(demo) -> None:
    app, summary = demo
    report = verify_audit(app)
    assert report.breaks == []
    assert report.patients == summary.patients


def test_same_seed_rebuilds_the_same_database(demo, tmp_path: Path) -> None:
    app, _ = demo
    again, _ = _build(tmp_path / "again.db")
    try:
        first, second = _database(app), _database(again)
        assert first.keys() == second.keys()
        for table in first:
            assert first[table] == second[table], table
    finally:
        again.engine.dispose()


def test_another_seed_plans_another_cohort() -> None:
    def fingerprint(seed: int) -> list[tuple[Any, ...]]:
        return [
            (p.id, p.archetype, p.enrolment, tuple((e.on, e.kind) for e in p.events))
            for p in plan_cohort(SIZE, seed, END)
        ]

    assert fingerprint(SEED) == fingerprint(SEED)
    assert fingerprint(SEED) != fingerprint(SEED + 1)
