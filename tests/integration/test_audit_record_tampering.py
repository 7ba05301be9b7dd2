"""`audit verify` rebuilds the clinical tables from the audit trail: a row changed, deleted
or added with SQL (by someone with write access to the database, or in a restored backup) is
named by patient, table and id, and a trail rewritten without the audit key does not verify.
Every way is tried on a copy of the same database, on SQLite and on PostgreSQL."""

import hashlib
import json
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from ildpath.bootstrap import App
from ildpath.usecases import (
    TriggerCommand,
    acknowledge_alert,
    fire_trigger,
    record_observation,
    record_therapy,
)
from ildpath.usecases.audit import AuditReport, verify_audit
from persistence.audit_chain import canonical_json

from .apps import CLINICIAN, clinic, enrol
from .tampering import as_owner_without_protection, tamper

DAY = date(2026, 3, 2)
pytestmark = pytest.mark.writes_outside_the_writer  # a malicious insider edits the tables


@pytest.fixture
def app(database_url: str) -> Iterator[App]:
    with clinic(database_url, DAY) as (app, clock):
        for pid in ("P-001", "P-002"):
            enrol(app, pid, anti_mda5="positive", ild_course="rapidly_progressive")
            record_observation(app, pid, "pft", {"fvc_pct": 70, "dlco_pct": 50}, DAY, CLINICIAN)
            record_therapy(app, pid, "start", "prednisone", DAY, CLINICIAN, dose_mg_per_day=40)
            record_therapy(app, pid, "start", "infliximab", DAY, CLINICIAN, route="iv")
        clock.move_to(DAY + timedelta(days=1))
        fire_trigger(app, "P-001", TriggerCommand("start_induction", DAY, reason="GC"), CLINICIAN)
        with app.engine.connect() as connection:
            alert = connection.execute(
                text(
                    "SELECT a.id FROM alert a JOIN patient p ON p.id = a.patient_id "
                    "WHERE p.external_id = 'P-002' AND a.code = 'AVOID_AGENT'"
                )
            ).scalar_one()
        acknowledge_alert(app, alert, "uveitis, agreed with rheumatology", CLINICIAN)
        assert verify_audit(app).findings == []
        yield app


def _id(app: App, table: str, where: str, pid: str = "P-001") -> int:
    with app.engine.connect() as connection:
        return connection.execute(
            text(
                f"SELECT t.id FROM {table} t JOIN patient p ON p.id = t.patient_id "
                f"WHERE p.external_id = :pid AND {where} ORDER BY t.id LIMIT 1"
            ),
            {"pid": pid},
        ).scalar_one()


def _record(report: AuditReport) -> list[tuple[str | None, str | None, int | None]]:
    return [(f.patient, f.table, f.row_id) for f in report.findings if f.chain == "record"]


def test_an_fvc_raised_twenty_points_is_named_with_both_values(app: App) -> None:
    row = _id(app, "observation", "t.kind = 'pft'")
    tamper(app.engine, f"UPDATE observation SET fvc_pct = fvc_pct + 20 WHERE id = {row}")
    report = verify_audit(app)
    [found] = report.findings
    assert (found.chain, found.patient, found.table, found.row_id) == (
        "record",
        "P-001",
        "observation",
        row,
    )
    assert "fvc_pct is 90.0 but the audit trail wrote 70.0" in found.problem


@pytest.mark.parametrize("table", ["observation", "therapy_event", "transition", "alert"])
def test_a_deleted_row_is_named_missing(app: App, table: str) -> None:
    row = _id(app, table, "1 = 1")
    tamper(app.engine, f"DELETE FROM {table} WHERE id = {row}")
    report = verify_audit(app)
    assert _record(report) == [("P-001", table, row)]
    assert "missing" in report.findings[0].problem


def test_a_transitions_actor_rewritten_is_named(app: App) -> None:
    row = _id(app, "transition", "1 = 1")
    tamper(app.engine, f"UPDATE transition SET actor = 'dr-someone-else' WHERE id = {row}")
    [found] = verify_audit(app).findings
    assert (found.table, found.row_id) == ("transition", row)
    assert "actor is 'dr-someone-else' but the audit trail wrote 'dr-test'" in found.problem


def test_an_acknowledgement_forged_with_sql_is_named(app: App) -> None:
    row = _id(app, "alert", "t.acknowledged_by IS NULL")
    tamper(
        app.engine,
        "UPDATE alert SET acknowledged_by = 'dr-test', justification = 'ok' WHERE id = :row",
        row=row,
    )
    [found] = verify_audit(app).findings
    assert (found.patient, found.table, found.row_id) == ("P-001", "alert", row)
    assert "acknowledged_by is 'dr-test' but the audit trail wrote None" in found.problem


def test_a_task_closed_and_a_state_changed_with_sql_are_named(app: App) -> None:
    task = _id(app, "care_task", "t.status = 'open'", "P-002")
    tamper(
        app.engine,
        f"UPDATE care_task SET status = 'done' WHERE id = {task}",
        "UPDATE patient SET state = 'monitoring', anti_mda5 = 'negative' "
        "WHERE external_id = 'P-002'",
    )
    found = {(f.table, f.row_id): f.problem for f in verify_audit(app).findings}
    assert "status is 'done' but the audit trail wrote 'open'" in found[("care_task", task)]
    [(_, problem)] = [(k, v) for k, v in found.items() if k[0] == "patient"]
    assert "anti_mda5 is 'negative'" in problem and "state is 'monitoring'" in problem


def test_a_row_added_with_sql_has_no_event(app: App) -> None:
    tamper(
        app.engine,
        "INSERT INTO observation (patient_id, clinical_on, recorded_on, actor, kind, fvc_pct, "
        "recorded_at) SELECT id, :on, :on, 'dr-test', 'pft', 40.0, :at FROM patient "
        "WHERE external_id = 'P-002'",
        on=DAY,
        at=app.clock.now(),
    )
    [found] = verify_audit(app).findings
    assert (found.patient, found.table) == ("P-002", "observation")
    assert "no audit event wrote this row" in found.problem


def test_a_row_moved_to_another_patient_is_named_for_both(app: App) -> None:
    row = _id(app, "observation", "1 = 1", "P-002")
    tamper(
        app.engine,
        "UPDATE observation SET patient_id = (SELECT id FROM patient WHERE external_id = "
        f"'P-001') WHERE id = {row}",
    )
    assert sorted(_record(verify_audit(app))) == [
        ("P-001", "observation", row),
        ("P-002", "observation", row),
    ]


def test_a_trail_rewritten_and_rehashed_without_the_key_does_not_verify(app: App) -> None:
    """The old attack: change a row and the event that wrote it, then recompute every hash
    after it and the head. The record then agrees with the trail, but without the key the
    signatures cannot be made."""
    row = _id(app, "observation", "t.kind = 'pft'")
    with app.engine.connect() as connection:
        events = (
            connection.execute(
                text(
                    "SELECT a.* FROM audit_event a JOIN patient p ON p.id = a.patient_id "
                    "WHERE p.external_id = 'P-001' ORDER BY a.seq"
                )
            )
            .mappings()
            .all()
        )
    statements: list[tuple[str, dict[str, object]]] = []
    previous = "0" * 64
    for event in events:
        record = event["record"].replace(",70.0,", ",90.0,")
        material = {**event, "record": record, "prev_hash": previous}
        material.pop("id")
        material.pop("hash")
        digest = hashlib.sha256(
            canonical_json(json.loads(json.dumps(material, default=str))).encode()
        ).hexdigest()
        statements.append(
            (
                "UPDATE audit_event SET record = :r, prev_hash = :p, hash = :h WHERE id = :i",
                {"r": record, "p": previous, "h": digest, "i": event["id"]},
            )
        )
        previous = digest
    statements.append(
        ("UPDATE patient SET audit_head = :h WHERE external_id = 'P-001'", {"h": previous})
    )
    statements.append((f"UPDATE observation SET fvc_pct = 90.0 WHERE id = {row}", {}))
    owner = as_owner_without_protection(app.engine)
    try:
        with owner.begin() as connection:
            for statement, values in statements:
                connection.execute(text(statement), values)
    finally:
        if owner is not app.engine:
            owner.dispose()
    [found] = verify_audit(app).findings
    assert (found.chain, found.patient, found.seq) == ("events", "P-001", 1)
    assert "does not match its signature" in found.problem


def test_the_untouched_copy_verifies_with_a_summary(app: App) -> None:
    report = verify_audit(app)
    assert report.intact and report.patients == 2
    assert report.rows > 20 and report.events > 10
    assert report.as_json()["intact"] is True
