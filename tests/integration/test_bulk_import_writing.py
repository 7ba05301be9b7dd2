"""How `ildpath import` writes: through the one writer, which takes the ids of a large insert
before inserting it. Those ids never collide with a writer working at the same time (SQLite:
the import holds the write lock from taking them to the commit; PostgreSQL: they come from
the tables' sequences), the evidence of a transition cites the rows as written, and the file
is read once."""

import json
import re
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import event, select, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from bench.cohort import patient, patient_lines
from bench.ingest import CLINICIAN, type_in
from ildpath.bootstrap import App, bootstrap
from ildpath.clock import SimulatedClock
from ildpath.settings import Settings
from ildpath.usecases import EnrolPatient, enrol_patient
from ildpath.usecases.bulk_import import import_histories
from ildpath.usecases.entries import OBSERVATION_KINDS
from persistence import sql_tables
from persistence.audit import verify_chains
from persistence.audit_key import load_keyring
from persistence.tables import ObservationRow, PatientRow, TransitionRow

TODAY = date(2026, 11, 21)
TAKEN_IDS = re.compile(r"INSERT INTO observation \([^)]*\bid\b")
"""An insert of observations with the ids the writer took for them."""


def _intruder(url: str, patient_id: int, outcomes: list[str]) -> Any:
    """Insert one observation row from a connection of its own, committed at once; on SQLite
    without waiting for the lock."""
    columns = (
        "patient_id, clinical_on, recorded_on, actor, kind, fvc_pct, recorded_at",
        "'2026-11-20', '2026-11-21', 'intruder', 'pft', 70, '2026-11-21 12:00:00.000000'",
    )
    statement = f"INSERT INTO observation ({columns[0]}) VALUES ({patient_id}, {columns[1]})"
    if url.startswith("sqlite"):

        def intrude() -> None:
            connection = sqlite3.connect(make_url(url).database or "", timeout=0)
            try:
                connection.execute(statement)
                connection.commit()
                outcomes.append("written")
            except sqlite3.OperationalError as error:
                outcomes.append(str(error))
            finally:
                connection.close()

        return intrude
    parsed = make_url(url)

    def intrude_postgres() -> None:
        with psycopg.connect(
            dbname=parsed.database,
            user=parsed.username,
            password=parsed.password,
            host=parsed.host,
            port=parsed.port,
            autocommit=True,
        ) as connection:
            connection.execute(statement)
            outcomes.append("written")

    return intrude_postgres


def _file(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "cohort.ndjson"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_ids_taken_in_advance_never_collide_with_a_concurrent_writer(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another connection tries to add an observation each time the import is about to insert
    rows whose ids it has taken (every insert takes its ids in advance here)."""
    monkeypatch.setattr(sql_tables, "TAKE_IDS_FROM", 1)
    app = bootstrap(Settings(database_url=database_url), SimulatedClock(TODAY))
    enrol_patient(
        app,
        EnrolPatient(
            "P-OTHER",
            "female",
            date(1960, 1, 1),
            date(2025, 1, 1),
            "polymyositis",
            "negative",
            "negative",
            "non_progressive",
        ),
        CLINICIAN,
    )
    with app.engine.connect() as db:
        other = db.execute(select(PatientRow.id)).scalar_one()
    outcomes: list[str] = []
    intrude = _intruder(database_url, other, outcomes)

    def before_insert(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if TAKEN_IDS.match(statement):
            intrude()

    path = _file(tmp_path, list(patient_lines(1, 3, TODAY)))
    event.listen(app.engine, "before_cursor_execute", before_insert)
    try:
        report = import_histories(
            app, lambda: path.open(encoding="utf-8"), CLINICIAN, batch=2, judge=False
        )
    finally:
        event.remove(app.engine, "before_cursor_execute", before_insert)

    assert report.patients == 3 and outcomes
    if database_url.startswith("sqlite"):
        # Every attempt met the import's write lock; afterwards the writer gets through.
        assert set(outcomes) == {"database is locked"}
        _intruder(database_url, other, outcomes)()
        assert outcomes[-1] == "written"
        intruded = 1
    else:
        # Every attempt went through at once, with an id of its own from the sequence.
        assert set(outcomes) == {"written"}
        intruded = len(outcomes)
    expected = sum(
        1
        for n in range(1, 4)
        for entry in patient(n, TODAY)["events"]
        if _kind(entry) in OBSERVATION_KINDS
    )
    with Session(app.engine) as session:
        assert list(verify_chains(session, load_keyring())) == []
        rows = session.execute(select(ObservationRow.patient_id, ObservationRow.actor)).all()
        assert sum(1 for _pid, actor in rows if actor == "intruder") == intruded
        assert sum(1 for pid, _actor in rows if pid != other) == expected
        # Each imported observation's audit event cites the row written for it.
        cited = [
            json.loads(payload)["id"]
            for (payload,) in session.execute(
                text("SELECT payload FROM audit_event WHERE kind = 'observation_recorded'")
            )
        ]
        imported = session.execute(
            select(ObservationRow.id).where(ObservationRow.actor != "intruder")
        ).scalars()
        assert sorted(cited) == sorted(imported)


def _kind(event: dict[str, Any]) -> str:
    return next(k for k in event if k != "on")


def _progressing(number: int) -> dict[str, Any]:
    """Cohort patient ``number`` with a PFT showing decline the day before its
    detect_progression."""
    data = patient(number, TODAY)
    events = data["events"]
    at = next(
        i
        for i, e in enumerate(events)
        if "trigger" in e and e["trigger"]["trigger"] == "detect_progression"
    )
    day = date.fromisoformat(events[at]["on"]).toordinal() - 1
    events.insert(
        at,
        {"on": date.fromordinal(day).isoformat(), "pft": {"fvc_pct": 60.0, "dlco_pct": 30.0}},
    )
    return data


def _cited(app: App, external_id: str) -> list[tuple[str, float | None, float | None]]:
    """The PFTs a patient's detect_progression cites: (clinical day, FVC, DLCO)."""
    with Session(app.engine) as session:
        evidence = session.execute(
            select(TransitionRow.evidence)
            .join(PatientRow, PatientRow.id == TransitionRow.patient_id)
            .where(
                PatientRow.external_id == external_id,
                TransitionRow.trigger == "detect_progression",
            )
        ).scalar_one()
        assert evidence and all(e.startswith("obs") for e in evidence)
        cited = []
        for reference in evidence:
            row = session.get(ObservationRow, int(reference.removeprefix("obs")))
            assert row is not None
            cited.append((row.clinical_on.isoformat(), row.fvc_pct, row.dlco_pct))
        return cited


def test_a_transition_cites_the_observations_as_written(database_url: str, tmp_path: Path) -> None:
    data = _progressing(24)
    path = _file(tmp_path, [*patient_lines(1, 23, TODAY), json.dumps(data)])
    app = bootstrap(Settings(database_url=database_url), SimulatedClock(TODAY))
    import_histories(app, lambda: path.open(encoding="utf-8"), CLINICIAN, batch=5)

    typed = bootstrap(
        Settings(database_url=f"sqlite:///{tmp_path / 'typed.db'}"), SimulatedClock(TODAY)
    )
    type_in(typed, data["id"], data)

    cited = _cited(app, data["id"])
    assert cited == _cited(typed, data["id"])
    assert cited[0][1:] == (60.0, 30.0)  # the declining PFT, then those it is compared with
    assert len(cited) >= 2


def test_the_file_is_read_once(tmp_path: Path) -> None:
    """Checked and written from one reading (the decided histories are kept for the writing), so
    a file that changes under the import cannot be written other than it was checked."""
    app = bootstrap(
        Settings(database_url=f"sqlite:///{tmp_path / 'once.db'}"), SimulatedClock(TODAY)
    )
    path = _file(tmp_path, list(patient_lines(1, 5, TODAY)))
    readings: list[int] = []

    def read() -> Any:
        readings.append(1)
        return path.open(encoding="utf-8")

    report = import_histories(app, read, CLINICIAN, batch=2)
    assert report.patients == 5 and len(readings) == 1
