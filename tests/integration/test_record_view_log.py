"""Every view of a patient record is logged, hash-chained, and `audit verify` catches an
altered or deleted view; viewing never moves the patient's version."""

from concurrent.futures import ThreadPoolExecutor
from datetime import date

from sqlmodel import col, select

from ildpath.usecases import Actor
from ildpath.usecases.audit import verify_audit
from ildpath.usecases.views import record_view
from persistence.record_views import RecordViewRow
from persistence.tables import PatientRow

from .apps import clinic, enrol
from .tampering import tamper

DAY = date(2026, 3, 2)
AUDITOR = Actor("audit-cleo", "auditor")


def _views(app) -> list[RecordViewRow]:  # type: ignore[no-untyped-def]
    with app.transaction() as session:
        return list(session.exec(select(RecordViewRow).order_by(col(RecordViewRow.id))))


def test_views_are_logged_in_order_and_leave_the_version_alone(database_url):
    with clinic(database_url, DAY) as (app, _):
        enrol(app, "P-001")
        with app.transaction() as session:
            version = session.exec(select(PatientRow.version)).one()

        record_view(app, "P-001", AUDITOR, via="dashboard", what="patient page")
        record_view(app, "P-001", AUDITOR, via="api", what="patient record")

        assert [(v.seq, v.via, v.actor) for v in _views(app)] == [
            (1, "dashboard", "audit-cleo"),
            (2, "api", "audit-cleo"),
        ]
        with app.transaction() as session:
            assert session.exec(select(PatientRow.version)).one() == version
        report = verify_audit(app)
        assert report.breaks == [] and report.views == 2


def test_simultaneous_views_of_one_patient_are_all_logged(database_url):
    with clinic(database_url, DAY) as (app, _):
        enrol(app, "P-001")
        with ThreadPoolExecutor(4) as pool:
            list(
                pool.map(
                    lambda n: record_view(
                        app, "P-001", Actor(f"user-{n}", "coordinator"), via="api", what="x"
                    ),
                    range(12),
                )
            )

        assert sorted(v.seq for v in _views(app)) == list(range(1, 13))
        assert verify_audit(app).breaks == []


def test_an_altered_or_deleted_view_is_named(database_url):
    with clinic(database_url, DAY) as (app, _):
        enrol(app, "P-001")
        for what in ("patient page", "patient record", "patient report (pdf)"):
            record_view(app, "P-001", AUDITOR, via="dashboard", what=what)
        tamper(app.engine, "UPDATE record_view SET actor = 'someone-else' WHERE seq = 2")

        [broken] = verify_audit(app).breaks
        assert (broken.external_id, broken.seq) == ("P-001", 2)
        assert "altered" in broken.problem

        tamper(app.engine, "DELETE FROM record_view WHERE seq = 2")
        [broken] = verify_audit(app).breaks
        assert "missing" in broken.problem
