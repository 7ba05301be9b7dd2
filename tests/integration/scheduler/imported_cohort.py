"""A clinic's first week (issue 21): a cohort imported from another tracker with two years of
history, judged as of today, so most of its open tasks are overdue by months."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from bench.cohort import patient_lines
from bench.ingest import CLINICIAN
from ildpath.bootstrap import App, bootstrap
from ildpath.clock import SimulatedClock
from ildpath.settings import Settings
from ildpath.usecases.bulk_import import import_histories
from persistence.tables import AlertRow, CareTaskRow, ReminderDeliveryRow

__all__ = [
    "PATIENTS",
    "TODAY",
    "critical_alerts",
    "imported_cohort",
    "open_due_tasks",
    "sources_of",
]

TODAY = date(2026, 11, 21)
PATIENTS = 30


@contextmanager
def imported_cohort(database_url: str, directory: Path) -> Iterator[tuple[App, SimulatedClock]]:
    """`PATIENTS` synthetic patients whose records start about two years before `TODAY`,
    imported (and judged) through `ildpath import`'s use case."""
    lines = directory / "cohort.ndjson"
    lines.write_text("\n".join(patient_lines(1, PATIENTS, TODAY)) + "\n", encoding="utf-8")
    clock = SimulatedClock(TODAY)
    app = bootstrap(Settings(database_url=database_url), clock)
    try:
        report = import_histories(app, lambda: lines.open(encoding="utf-8"), CLINICIAN)
        assert report.patients == PATIENTS
        yield app, clock
    finally:
        app.engine.dispose()


def open_due_tasks(app: App, day: date) -> dict[int, date]:
    """Open task id -> its due date in force, for the tasks due by ``day``."""
    in_force = func.coalesce(CareTaskRow.rescheduled_to, CareTaskRow.due_on)  # type: ignore[arg-type]
    with app.engine.connect() as connection:
        rows = connection.execute(
            select(CareTaskRow.id, in_force).where(CareTaskRow.status == "open", in_force <= day)
        )
        return {task_id: due for task_id, due in rows}


def critical_alerts(app: App) -> set[int]:
    with app.engine.connect() as connection:
        return set(
            connection.execute(
                select(AlertRow.id).where(
                    AlertRow.severity == "critical", AlertRow.status == "raised"
                )
            ).scalars()
        )


def sources_of(app: App, keys: list[str]) -> list[tuple[str, int]]:
    """What each received key was about, read from the outbox: ``("task", 19)`` or
    ``("alert", 7)``, one entry per key in ``keys`` (duplicates kept)."""
    with app.engine.connect() as connection:
        rows = connection.execute(
            select(
                ReminderDeliveryRow.key, ReminderDeliveryRow.task_id, ReminderDeliveryRow.alert_id
            )
        ).all()
    by_key = {
        key: ("task", task_id) if task_id is not None else ("alert", alert_id)
        for key, task_id, alert_id in rows
    }
    return [by_key[key] for key in keys]
