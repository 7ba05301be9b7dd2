"""`audit verify` catches an altered, a deleted and a truncated audit event."""

from datetime import date

import pytest
from sqlalchemy import text

from ildpath.usecases import record_observation, record_therapy
from ildpath.usecases.audit import verify_audit

from .apps import CLINICIAN, clinic, enrol
from .tampering import tamper

DAY = date(2026, 3, 2)
pytestmark = pytest.mark.writes_outside_the_writer  # a malicious insider edits the trail


def _two_patients(app) -> None:  # type: ignore[no-untyped-def]
    for pid in ("P-001", "P-002"):
        enrol(app, pid)
        record_observation(app, pid, "pft", {"fvc_pct": 70, "dlco_pct": 50}, DAY, CLINICIAN)
        record_therapy(app, pid, "start", "prednisone", DAY, CLINICIAN, dose_mg_per_day=40)


def _tamper(app, pid: str, statement: str) -> None:  # type: ignore[no-untyped-def]
    """Run ``statement`` (an UPDATE or DELETE of audit_event) on one patient's events only."""
    owner = f"patient_id = (SELECT id FROM patient WHERE external_id = '{pid}')"
    tamper(app.engine, statement.format(owner=owner))  # as the owner, the protection off


def _seq_of(app, pid: str, kind: str) -> int:  # type: ignore[no-untyped-def]
    with app.engine.connect() as connection:
        return connection.execute(
            text(
                "SELECT min(a.seq) FROM audit_event a JOIN patient p ON p.id = a.patient_id "
                "WHERE p.external_id = :pid AND a.kind = :kind"
            ),
            {"pid": pid, "kind": kind},
        ).scalar_one()


def _last_seq(app, pid: str) -> int:  # type: ignore[no-untyped-def]
    with app.engine.connect() as connection:
        return connection.execute(
            text(
                "SELECT max(a.seq) FROM audit_event a JOIN patient p ON p.id = a.patient_id "
                "WHERE p.external_id = :pid"
            ),
            {"pid": pid},
        ).scalar_one()


def test_intact_trail_verifies(database_url):
    with clinic(database_url, DAY) as (app, _):
        _two_patients(app)
        report = verify_audit(app)
        assert report.breaks == [] and report.patients == 2 and report.events > 6


def test_altered_event_is_named(database_url):
    with clinic(database_url, DAY) as (app, _):
        _two_patients(app)
        seq = _seq_of(app, "P-002", "observation_recorded")
        _tamper(
            app,
            "P-002",
            "UPDATE audit_event SET payload = replace(payload, '70.0', "
            f"'80.0') WHERE seq = {seq} AND {{owner}}",
        )
        [broken] = verify_audit(app).breaks
        assert (broken.external_id, broken.seq) == ("P-002", seq)
        assert "altered" in broken.problem


def test_deleted_event_is_named(database_url):
    with clinic(database_url, DAY) as (app, _):
        _two_patients(app)
        seq = _seq_of(app, "P-001", "observation_recorded")
        _tamper(app, "P-001", f"DELETE FROM audit_event WHERE seq = {seq} AND {{owner}}")
        [broken] = verify_audit(app).breaks
        assert (broken.external_id, broken.seq) == ("P-001", seq)
        assert "deleted" in broken.problem


def test_events_deleted_from_the_end_are_caught(database_url):
    with clinic(database_url, DAY) as (app, _):
        _two_patients(app)
        last = _last_seq(app, "P-001")
        _tamper(app, "P-001", f"DELETE FROM audit_event WHERE seq = {last} AND {{owner}}")
        [broken] = verify_audit(app).breaks
        assert broken.external_id == "P-001" and "deleted from the end" in broken.problem
