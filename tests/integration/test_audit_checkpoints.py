"""Anchored heads: after a checkpoint (signed, in a file outside the database), whatever is
cut off the end of a chain is found by `audit verify`, even when what is left of the chain is
consistent: a patient's last events with the head rolled back, the last views or all views
of a patient, a whole patient, the last account events. Tried on SQLite and PostgreSQL."""

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from ildpath.bootstrap import App
from ildpath.settings import Settings
from ildpath.usecases import Actor, record_observation, record_therapy
from ildpath.usecases.audit import AuditReport, verify_audit
from ildpath.usecases.audit_checkpoint import append_checkpoint
from ildpath.usecases.views import record_view

from .apps import CLINICIAN, clinic, enrol
from .tampering import delete_patient, tamper

DAY = date(2026, 3, 2)
AUDITOR = Actor("aud-test", "auditor")
pytestmark = pytest.mark.writes_outside_the_writer  # a malicious insider edits the tables


def _with_file(app: App, path: Path) -> App:
    app.settings = Settings(database_url=app.settings.database_url, audit_checkpoint_file=path)
    return app


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[App]:
    """Two patients with a trail and an access log each, and a checkpoint of it all in a file
    of the test's own."""
    with clinic(database_url, DAY) as (app, clock):
        _with_file(app, tmp_path / "checkpoints.jsonl")
        for pid in ("P-001", "P-002"):
            enrol(app, pid)
            record_observation(app, pid, "pft", {"fvc_pct": 70, "dlco_pct": 50}, DAY, CLINICIAN)
            record_therapy(app, pid, "start", "prednisone", DAY, CLINICIAN, dose_mg_per_day=40)
            for what in ("patient page", "timeline", "report"):
                record_view(app, pid, AUDITOR, via="dashboard", what=what)
        clock.move_to(DAY + timedelta(days=1))
        append_checkpoint(app)
        yield app


def _account_events(app: App, count: int) -> None:
    """Account events as the accounts chain holds them (seq, hash), made with SQL: this test
    is about the chain's head, not its links (which the accounts chain's own tests sign and
    verify; `verify` may name these unsigned ones too)."""
    for seq in range(1, count + 1):
        tamper(
            app.engine,
            "INSERT INTO account_event (seq, kind, actor, role, subject, payload, record, "
            "recorded_at, key_id, prev_hash, hash) VALUES (:seq, 'user_created', 'admin', "
            "'admin', :subject, '{}', '', :at, 'k', :prev, :hash)",
            seq=seq,
            subject=f"user-{seq}",
            at=app.clock.now(),
            prev=f"{seq - 1:064d}",
            hash=f"{seq:064d}",
        )


def _last_seq(app: App, table: str, pid: str) -> int:
    with app.engine.connect() as connection:
        return connection.execute(
            text(
                f"SELECT max(t.seq) FROM {table} t JOIN patient p ON p.id = t.patient_id "
                "WHERE p.external_id = :pid"
            ),
            {"pid": pid},
        ).scalar_one()


def _anchored(report: AuditReport) -> list[str]:
    return [found.line() for found in report.findings]


def test_the_untouched_database_verifies_against_its_checkpoint(app: App) -> None:
    report = verify_audit(app)
    assert report.intact, _anchored(report)
    assert report.checkpoint is not None and report.checkpoint["patients"] == 2
    assert report.checkpoint["taken_at"].startswith("2026-03-03")
    assert report.notes == []


def test_events_and_views_appended_after_the_checkpoint_are_fine(app: App) -> None:
    record_observation(app, "P-001", "pft", {"fvc_pct": 68}, DAY, CLINICIAN)
    record_view(app, "P-002", AUDITOR, via="api", what="patient record")
    assert verify_audit(app).intact


def test_last_events_deleted_and_the_head_rolled_back_are_named(app: App) -> None:
    last = _last_seq(app, "audit_event", "P-001")
    keep = last - 2
    tamper(
        app.engine,
        "DELETE FROM audit_event WHERE seq > :keep AND patient_id = "
        "(SELECT id FROM patient WHERE external_id = 'P-001')",
        "UPDATE patient SET audit_seq = :keep, audit_head = (SELECT a.hash FROM audit_event a "
        "WHERE a.patient_id = patient.id AND a.seq = :keep) WHERE external_id = 'P-001'",
        keep=keep,
    )
    report = verify_audit(app)
    assert not report.intact
    lines = _anchored(report)
    assert any(
        line.startswith("events: patient P-001")
        and f"events {keep + 1}..{last} removed after the checkpoint of 2026-03-03" in line
        for line in lines
    ), lines


def test_last_views_deleted_are_named(app: App) -> None:
    tamper(
        app.engine,
        "DELETE FROM record_view WHERE seq = 3 AND patient_id = "
        "(SELECT id FROM patient WHERE external_id = 'P-002')",
    )
    [found] = verify_audit(app).findings
    assert (found.chain, found.patient, found.seq) == ("views", "P-002", 3)
    assert found.line().startswith("views: patient P-002: view 3: view 3 removed after")


def test_all_views_of_a_patient_deleted_are_named(app: App) -> None:
    tamper(
        app.engine,
        "DELETE FROM record_view WHERE patient_id = "
        "(SELECT id FROM patient WHERE external_id = 'P-001')",
    )
    [found] = verify_audit(app).findings
    assert (found.chain, found.patient) == ("views", "P-001")
    assert "views 1..3 removed after the checkpoint" in found.problem


def test_a_whole_patient_deleted_is_named(app: App) -> None:
    delete_patient(app.engine, "P-002")
    report = verify_audit(app)
    assert report.patients == 1
    [found] = report.findings
    assert (found.chain, found.patient) == ("checkpoint", "P-002")
    assert "patient deleted after the checkpoint of 2026-03-03" in found.problem


def test_last_account_events_deleted_are_named(app: App) -> None:
    _account_events(app, 3)
    append_checkpoint(app)
    tamper(app.engine, "DELETE FROM account_event WHERE seq >= 2")
    report = verify_audit(app)
    lines = _anchored(report)
    assert any(
        line.startswith("accounts:") and "account events 2..3 removed after" in line
        for line in lines
    ), lines


def test_an_edited_checkpoint_line_fails_its_signature(app: App) -> None:
    path = app.settings.audit_checkpoint_file
    assert path is not None
    line = json.loads(path.read_text())
    line["patients"]["P-001"]["events"][0] -= 1  # as if the trail had ended earlier
    path.write_text(json.dumps(line, sort_keys=True, separators=(",", ":")) + "\n")
    report = verify_audit(app)
    [found] = report.findings
    assert found.chain == "checkpoint"
    assert "does not match its signature" in found.problem and str(path) in found.problem


def test_two_installations_sharing_one_file_keep_to_their_own(app: App, tmp_path: Path) -> None:
    other_url = f"sqlite:///{tmp_path / 'other.db'}"
    path = app.settings.audit_checkpoint_file
    assert path is not None
    with clinic(other_url, DAY) as (other, _):
        _with_file(other, path)
        enrol(other, "Q-1")
        assert verify_audit(other).notes  # none of its own yet, though the file has a line
        append_checkpoint(other)
        delete_patient(app.engine, "P-001")
        assert verify_audit(other).intact
        [found] = verify_audit(app).findings
        assert found.patient == "P-001" and "patient deleted" in found.problem


def test_no_checkpoint_yet_is_a_note_not_a_finding(database_url: str, tmp_path: Path) -> None:
    with clinic(database_url, DAY) as (app, _):
        _with_file(app, tmp_path / "none-yet.jsonl")
        enrol(app, "P-001")
        report = verify_audit(app)
    assert report.intact and report.checkpoint is None
    assert "no checkpoint yet: run `ildpath audit checkpoint`" in report.notes[0]


def test_the_daily_job_appends_a_checkpoint_and_a_failure_never_stops_it(
    app: App, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from ildpath.jobs import anchor_heads

    path = app.settings.audit_checkpoint_file
    assert path is not None
    anchor_heads(app)
    assert len(path.read_text().splitlines()) == 2
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    _with_file(app, blocked / "checkpoints.jsonl")
    with caplog.at_level("ERROR", logger="ildpath.scheduler"):
        anchor_heads(app)
    assert "audit checkpoint not written" in caplog.text
    assert str(blocked / "checkpoints.jsonl") in caplog.text


def test_the_latest_line_is_found_behind_megabytes_of_other_installations(app: App) -> None:
    """Read from the end in blocks: the line of this installation, then lines of another
    (a shared file) longer than a block."""
    path = app.settings.audit_checkpoint_file
    assert path is not None
    filler = json.dumps({"installation": "elsewhere", "patients": {"X": "x" * 300_000}})
    with path.open("a") as handle:
        handle.write((filler + "\n") * 8)
    delete_patient(app.engine, "P-001")
    [found] = verify_audit(app).findings
    assert found.patient == "P-001" and "patient deleted" in found.problem


def test_a_checkpoint_file_that_cannot_be_read_is_a_finding(app: App, tmp_path: Path) -> None:
    unreadable = tmp_path / "a-directory"
    unreadable.mkdir()
    _with_file(app, unreadable)
    [found] = verify_audit(app).findings
    assert found.chain == "checkpoint"
    assert f"cannot read the checkpoint file {unreadable}" in found.problem


def test_a_checkpointed_head_rewritten_differs_from_the_checkpoint(app: App) -> None:
    last = _last_seq(app, "record_view", "P-001")
    tamper(
        app.engine,
        "UPDATE record_view SET hash = :forged WHERE seq = :last AND patient_id = "
        "(SELECT id FROM patient WHERE external_id = 'P-001')",
        forged="f" * 64,
        last=last,
    )
    lines = _anchored(verify_audit(app))
    assert f"views: patient P-001: view {last}: view {last} differs from the checkpoint of" in (
        "\n".join(lines)
    ), lines


def test_an_installation_id_deleted_is_noted(app: App) -> None:
    tamper(app.engine, "DELETE FROM installation")
    report = verify_audit(app)
    assert report.checkpoint is None
    assert any("this database has no installation id, yet" in note for note in report.notes)
