"""(a) Ingest: the bulk import path and the use cases, each beside raw ``executemany`` of the
same rows with the bare driver (sqlite3 or psycopg), the physical floor of writing them."""

import time
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from psycopg.types.json import Jsonb
from sqlalchemy import text

from ildpath.bootstrap import App
from ildpath.usecases import Actor, EnrolPatient, enrol_patient, record_event
from ildpath.usecases.bulk_import import import_histories
from ildpath.usecases.bulk_import.reading import event_of
from ildpath.usecases.daily_run import run_daily_evaluation
from persistence.tables import CLINICAL_TABLES

from .cohort import patient
from .databases import bare_connection

__all__ = ["RECORD_TABLES", "bulk_ingest", "raw_executemany", "type_in", "usecase_ingest"]

CLINICIAN = Actor("bench-clinician", "clinician")
RECORD_TABLES = tuple(t for t in CLINICAL_TABLES if t not in ("alert", "care_task"))
"""What an import writes (the judging that follows writes alerts and tasks); the raw baseline
copies exactly these rows."""


def bulk_ingest(app: App, lines_file: Path) -> dict[str, Any]:
    """The import as a clinic runs it (`ildpath import`), timed in its two phases: checking
    and writing the file, then judging the imported patients once."""
    started = time.perf_counter()
    report = import_histories(
        app, lambda: lines_file.open(encoding="utf-8"), CLINICIAN, judge=False
    )
    written = time.perf_counter() - started
    judged_started = time.perf_counter()
    judged = run_daily_evaluation(app, app.clock.today())
    judging = time.perf_counter() - judged_started
    return {
        "patients": report.patients,
        "events": report.events,
        "write_s": written,
        "judge_s": judging,
        "judged": judged,
        "events_per_s": report.events / written,
        "events_per_s_with_judging": report.events / (written + judging),
    }


def raw_executemany(source_url: str, target_url: str, events: int) -> dict[str, Any]:
    """Copy the rows the import wrote, as plain tuples, into an empty schema with the bare
    driver's ``executemany`` in one transaction; only the inserts and the commit are timed."""
    rows: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
    json_columns: dict[str, set[int]] = {}
    with bare_connection(source_url) as source:
        cursor = source.cursor()
        for table in RECORD_TABLES:
            cursor.execute(f'SELECT * FROM "{table}" ORDER BY id')
            names = [d[0] for d in cursor.description]
            json_columns[table] = {
                n for n, d in enumerate(cursor.description) if d[1] in _JSON_TYPES
            }
            rows[table] = (names, [tuple(r) for r in cursor.fetchall()])
    count = sum(len(r[1]) for r in rows.values())
    if not target_url.startswith("sqlite"):
        rows = {
            t: (names, [_as_json(v, json_columns[t]) for v in values])
            for t, (names, values) in rows.items()
        }
    with bare_connection(target_url) as target:
        cursor = target.cursor()
        marker = "?" if "sqlite" in target_url else "%s"
        started = time.perf_counter()
        for table, (names, values) in rows.items():
            columns = ", ".join(f'"{n}"' for n in names)
            params = ", ".join(marker for _ in names)
            cursor.executemany(f'INSERT INTO "{table}" ({columns}) VALUES ({params})', values)
        target.commit()
        seconds = time.perf_counter() - started
    return {"rows": count, "seconds": seconds, "events_per_s": events / seconds}


_JSON_TYPES = (114, 3802)
"""PostgreSQL's json and jsonb type oids."""


def _as_json(values: tuple[Any, ...], json_columns: set[int]) -> tuple[Any, ...]:
    """psycopg reads a JSON column as the value it holds (a list, but also a string, a number
    or None) and would send it back as an array, text or a number; the JSON columns want
    JSON."""
    return tuple(Jsonb(v) if n in json_columns else v for n, v in enumerate(values))


def _apply(app: App, pid: str, event: dict[str, Any]) -> None:
    """One event of the file typed in through the one dispatcher, as a person enters it."""
    kind, body, on = event_of(event)
    record_event(app, pid, kind, body, on, CLINICIAN)


def type_in(app: App, pid: str, data: dict[str, Any]) -> None:
    """One synthetic patient (`bench.cohort.patient`) enrolled and recorded event by event
    through the use cases, as a coordinator would type the history in."""
    enrol_patient(
        app,
        EnrolPatient(
            pid,
            data["sex"],
            date.fromisoformat(data["birth_date"]),
            date.fromisoformat(data["enrolled_on"]),
            data["diagnosis"],
            data["anti_mda5"],
            data["anti_ars"],
            data["ild_course"],
            tuple(data["risk_factors"]),
            data["weight_kg"],
        ),
        CLINICIAN,
    )
    for event in data["events"]:
        _apply(app, pid, event)


def usecase_ingest(app: App, numbers: Iterable[int], today: date, prefix: str) -> dict[str, Any]:
    """The same kind of history typed in through the use cases (what `ildpath record` and the
    API do): one transaction and one evaluation per event. Patients get ``prefix`` ids so they
    never collide with the imported cohort."""
    events = patients = 0
    started = time.perf_counter()
    for number in numbers:
        data = patient(number, today)
        type_in(app, f"{prefix}-{number:06d}", data)
        events += 1 + len(data["events"])
        patients += 1
    seconds = time.perf_counter() - started
    return {
        "patients": patients,
        "events": events,
        "seconds": seconds,
        "events_per_s": events / seconds,
    }


def count_rows(app: App) -> dict[str, int]:
    with app.engine.connect() as connection:
        return {
            table: connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
            for table in (*RECORD_TABLES, "alert", "care_task")
        }
