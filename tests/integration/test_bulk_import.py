"""`ildpath import`: a cohort with two years of history brought in from another tracker.

Checked whole before anything is written, written in batches with the same audit trail as the
use cases, judged once as of today: the same states and open tasks as typing the same history
in through `ildpath record` and `ildpath trigger`, and a second run finishes an interrupted
one without writing anything twice."""

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlmodel import Session

from bench.cohort import patient, patient_lines
from bench.ingest import CLINICIAN, usecase_ingest
from ildpath.bootstrap import App, bootstrap
from ildpath.clock import SimulatedClock
from ildpath.settings import Settings
from ildpath.usecases.bulk_import import ImportRefused, import_histories
from ildpath.usecases.daily_run import run_daily_evaluation
from persistence.audit import verify_chains
from persistence.audit_key import load_keyring
from persistence.tables import CareTaskRow, PatientRow

TODAY = date(2026, 11, 21)
TABLES = (
    "patient",
    "phenotype_entry",
    "observation",
    "therapy_event",
    "transition",
    "audit_event",
    "alert",
    "care_task",
)


def _app(url: str) -> App:
    return bootstrap(Settings(database_url=url), SimulatedClock(TODAY))


def _file(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "cohort.ndjson"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _import(app: App, path: Path, batch: int = 7) -> Any:
    return import_histories(app, lambda: path.open(encoding="utf-8"), CLINICIAN, batch=batch)


def _counts(app: App) -> dict[str, int]:
    with app.engine.connect() as db:
        return {t: db.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in TABLES}


def _outcome(app: App, prefix: str) -> dict[str, Any]:
    with Session(app.engine) as session:
        assert list(verify_chains(session, load_keyring())) == []
        states = {
            pid.split("-")[-1]: state
            for pid, state in session.execute(
                select(PatientRow.external_id, PatientRow.state).where(
                    PatientRow.external_id.startswith(prefix)
                )
            )
        }
        tasks = sorted(
            (pid.split("-")[-1], kind, due.isoformat())
            for pid, kind, due in session.execute(
                select(PatientRow.external_id, CareTaskRow.kind, CareTaskRow.due_on)
                .join(PatientRow, PatientRow.id == CareTaskRow.patient_id)
                .where(CareTaskRow.status == "open", PatientRow.external_id.startswith(prefix))
            )
        )
    return {"states": states, "open_tasks": tasks}


def test_imported_history_ends_where_typing_it_in_ends(database_url: str, tmp_path: Path) -> None:
    app = _app(database_url)
    report = _import(app, _file(tmp_path, list(patient_lines(1, 24, TODAY))))
    assert report.patients == 24 and report.skipped == []
    assert report.events == sum(1 + len(patient(n, TODAY)["events"]) for n in range(1, 25))
    typed = _app(f"sqlite:///{tmp_path / 'typed.db'}")
    usecase_ingest(typed, range(1, 25), TODAY, "BENCH")
    run_daily_evaluation(typed, TODAY)
    imported, by_hand = _outcome(app, "BENCH"), _outcome(typed, "BENCH")
    assert imported["states"] == by_hand["states"]
    assert set(imported["states"].values()) >= {"induction", "monitoring"}
    assert imported["open_tasks"] == by_hand["open_tasks"]


def test_a_bad_line_is_named_and_nothing_is_written(database_url: str, tmp_path: Path) -> None:
    app = _app(database_url)
    bad = patient(3, TODAY)
    bad["events"][0] = {"on": bad["events"][0]["on"], "pft": {"fvc_pct": 500}}
    twice = patient(1, TODAY)
    lines = [*patient_lines(1, 2, TODAY), json.dumps(bad), json.dumps(twice), "not json"]
    before = _counts(app)
    with pytest.raises(ImportRefused) as refused:
        _import(app, _file(tmp_path, lines))
    message = str(refused.value)
    assert "3 problem(s)" in message
    assert "line 3: events[0].fvc_pct" in message and "10" in message
    assert "line 4: id: 'BENCH-000001'" in message
    assert "line 5: line" in message
    assert _counts(app) == before


def test_running_it_again_finishes_an_interrupted_import(database_url: str, tmp_path: Path) -> None:
    app = _app(database_url)
    _import(app, _file(tmp_path, list(patient_lines(1, 5, TODAY))))
    first = _counts(app)
    report = _import(app, _file(tmp_path, list(patient_lines(1, 9, TODAY))))
    assert report.patients == 4 and len(report.skipped) == 5
    again = _import(app, _file(tmp_path, list(patient_lines(1, 9, TODAY))))
    assert again.patients == 0 and len(again.skipped) == 9
    with app.engine.connect() as db:
        assert db.execute(select(func.count()).select_from(PatientRow)).scalar_one() == 9
    assert _counts(app)["audit_event"] > first["audit_event"]
