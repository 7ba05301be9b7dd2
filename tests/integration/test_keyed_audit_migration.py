"""Migration 0014 (keyed audit trail): chains written before the audit key are verified as
they were written, signed again with the key, and closed by one event per patient that is
the migration itself and records the patient's rows as they stood; a chain that does not
verify stops the upgrade, naming the patient, and nothing is signed."""

from datetime import date

import pytest
from sqlalchemy import inspect, text

from ildpath.usecases import record_observation, record_therapy
from ildpath.usecases.audit import verify_audit
from persistence.audit_rekey import REKEY_KIND, AuditChainBroken
from persistence.database import make_engine

from .apps import CLINICIAN, clinic, enrol
from .migrating import migrate
from .tampering import as_owner_without_protection

pytestmark = pytest.mark.writes_outside_the_writer  # the schema moved by hand, back and forth

DAY = date(2026, 3, 2)


def _clinic_before_the_key(url: str) -> None:
    """Two patients with a history, then the schema taken back to before revision 0014: the
    chains as an older release wrote them (unkeyed, without the rows)."""
    with clinic(url, DAY) as (app, _):
        for pid in ("P-001", "P-002"):
            enrol(app, pid)
            record_observation(app, pid, "pft", {"fvc_pct": 70, "dlco_pct": 50}, DAY, CLINICIAN)
            record_therapy(app, pid, "start", "prednisone", DAY, CLINICIAN, dose_mg_per_day=40)
        as_owner_without_protection(app.engine)
    migrate(url, "0013", down=True)


def _events(url: str) -> list[tuple[str, int, str, str]]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return [
                tuple(row)
                for row in connection.execute(
                    text(
                        "SELECT p.external_id, a.seq, a.kind, a.actor FROM audit_event a "
                        "JOIN patient p ON p.id = a.patient_id ORDER BY p.external_id, a.seq"
                    )
                )
            ]
    finally:
        engine.dispose()


def test_old_chains_are_signed_again_and_closed_by_the_migrations_event(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    _clinic_before_the_key(url)
    before = _events(url)
    with clinic(url, DAY) as (app, _):  # the application upgrades on start
        report = verify_audit(app)
        assert report.findings == [] and report.patients == 2
    after = _events(url)
    for pid in ("P-001", "P-002"):
        old = [e for e in before if e[0] == pid]
        new = [e for e in after if e[0] == pid]
        assert new[: len(old)] == old
        [(_, seq, kind, actor)] = new[len(old) :]
        assert (seq, kind, actor) == (len(old) + 1, REKEY_KIND, "ildpath-migration")


def test_the_migrations_event_binds_the_rows_as_they_stood(empty_database_url: str) -> None:
    url = empty_database_url
    _clinic_before_the_key(url)
    with clinic(url, DAY) as (app, _):
        as_owner_without_protection(app.engine)
        with app.engine.begin() as connection:
            row = connection.execute(text("SELECT min(id) FROM observation")).scalar_one()
            connection.execute(text(f"UPDATE observation SET fvc_pct = 95 WHERE id = {row}"))
        [found] = verify_audit(app).findings
        assert (found.chain, found.table, found.row_id) == ("record", "observation", row)


def test_a_chain_broken_before_the_key_stops_the_upgrade_naming_the_patient(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    _clinic_before_the_key(url)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE audit_event SET actor = 'someone-else' WHERE seq = 2 AND patient_id = "
                "(SELECT id FROM patient WHERE external_id = 'P-002')"
            )
        )
    engine.dispose()
    with pytest.raises(AuditChainBroken, match=r"P-002 \(at link 2\)"):
        migrate(url, "head")
    assert "record" not in _columns(url)  # the upgrade is one transaction: nothing moved


def _columns(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return {column["name"] for column in inspect(connection).get_columns("audit_event")}
    finally:
        engine.dispose()
