"""Optimistic concurrency over HTTP: the ETag is the patient's version; a stale If-Match is
409 and writes nothing; two API workers on one database cannot overwrite each other."""

from datetime import date

from sqlalchemy import func
from sqlmodel import select

from persistence.record_views import RecordViewRow
from persistence.tables import ObservationRow
from tests.integration.apps import enrol
from tests.web import serving, web_clinic

PFT = {"kind": "pft", "fvc_pct": 70, "dlco_pct": 60, "on": "2026-10-10"}


def _pfts(app) -> int:
    with app.transaction() as session:
        return int(session.exec(select(func.count()).select_from(ObservationRow)).one())


def test_a_write_with_a_stale_etag_is_409_and_writes_nothing(database_url):
    with web_clinic(database_url, date(2026, 11, 2), dashboard=False) as clinic:
        enrol(clinic.app, "P-001", enrolled_on=date(2026, 10, 1))
        with clinic.client("coordinator") as anna, clinic.client("clinician") as ben:
            read = anna.get("/api/patients/P-001")
            etag = read.headers["etag"]
            assert read.json()["version"] == int(etag.strip('"'))

            first = ben.post(
                "/api/patients/P-001/observations", json=PFT, headers={"If-Match": etag}
            )
            assert first.status_code == 201, first.text
            assert first.headers["etag"] != etag
            written = _pfts(clinic.app)

            stale = anna.post(
                "/api/patients/P-001/observations",
                json={**PFT, "fvc_pct": 55},
                headers={"If-Match": etag},
            )

            assert stale.status_code == 409
            assert stale.json()["type"] == "urn:ildpath:problem:stale-write"
            assert stale.headers["etag"] == first.headers["etag"]
            assert _pfts(clinic.app) == written

            again = anna.post(
                "/api/patients/P-001/observations",
                json={**PFT, "fvc_pct": 55},
                headers={"If-Match": stale.headers["etag"]},
            )
            assert again.status_code == 201


def test_two_api_workers_on_one_database_refuse_the_second_stale_write(database_url):
    """Several API processes share one database (PostgreSQL in production): the version
    lives in the database, so a second worker refuses a write based on an older read."""
    with web_clinic(database_url, date(2026, 11, 2), dashboard=False) as clinic:
        enrol(clinic.app, "P-001", enrolled_on=date(2026, 10, 1))
        with serving(clinic.app, dashboard=False) as second_worker:
            with clinic.client("coordinator") as one, clinic.client("coordinator") as two:
                two.base_url = second_worker
                etag = one.get("/api/patients/P-001").headers["etag"]
                assert two.get("/api/patients/P-001").headers["etag"] == etag

                ok = one.post(
                    "/api/patients/P-001/procedures",
                    json={"kind": "plasma_exchange", "on": "2026-10-05"},
                    headers={"If-Match": etag},
                )
                late = two.post(
                    "/api/patients/P-001/vaccinations",
                    json={"kind": "influenza", "on": "2026-10-05"},
                    headers={"If-Match": etag},
                )

            assert ok.status_code == 201
            assert late.status_code == 409


def test_reading_a_patient_is_logged_and_does_not_change_its_etag(clinic):
    with clinic.client("auditor") as client:
        first = client.get("/api/patients/P-001")
        second = client.get("/api/patients/P-001")
        client.get("/api/patients/P-001/report", params={"format": "json"})

    assert first.headers["etag"] == second.headers["etag"]
    with clinic.app.transaction() as session:
        views = list(session.exec(select(RecordViewRow).where(RecordViewRow.actor == "audit-cleo")))
    assert [(v.via, v.what) for v in views][-3:] == [
        ("api", "patient record"),
        ("api", "patient record"),
        ("api", "patient report (json)"),
    ]
    assert all(v.role == "auditor" for v in views)
