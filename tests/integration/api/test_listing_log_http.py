"""Over real HTTP, every route that shows several patients leaves exactly one access-log
entry per request, naming the person who asked and exactly the patients shown (issue 22:
cohort reports, /api/alerts, /api/tasks and the calendars left no trace)."""

import json
import re
from collections.abc import Iterator

import httpx
import pytest
from sqlmodel import col, select

from ildpath.accounts.calendar_feeds import issue_feed
from persistence.listing_views import ListingPatientRow, ListingViewRow
from persistence.tables import PatientRow
from tests.web import PASSWORD, PEOPLE, WebClinic

from .conftest import seeded_clinic

PATIENTS = ["P-001", "P-002"]


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebClinic]:
    with seeded_clinic(tmp_path_factory, "listings") as served:
        yield served


def _entries(clinic: WebClinic) -> list[tuple[ListingViewRow, list[str]]]:
    with clinic.app.transaction() as session:
        rows = list(session.exec(select(ListingViewRow).order_by(col(ListingViewRow.seq))))
        return [
            (
                row,
                list(
                    session.exec(
                        select(PatientRow.external_id)
                        .join(ListingPatientRow, col(ListingPatientRow.patient_id) == PatientRow.id)
                        .where(ListingPatientRow.listing_id == row.id)
                        .order_by(col(PatientRow.external_id))
                    )
                ),
            )
            for row in rows
        ]


def _one_new_entry(clinic: WebClinic, before: int) -> tuple[ListingViewRow, list[str]]:
    entries = _entries(clinic)
    assert len(entries) == before + 1, [e.what for e, _ in entries[before:]]
    return entries[-1]


def _get(
    clinic: WebClinic, role: str, path: str
) -> tuple[httpx.Response, ListingViewRow, list[str]]:
    before = len(_entries(clinic))
    with clinic.client(role) as client:
        answer = client.get(path)
    assert answer.status_code == 200, answer.text
    entry, names = _one_new_entry(clinic, before)
    return answer, entry, names


def _mentioned(body: str) -> list[str]:
    return [p for p in PATIENTS if p in body]


def test_the_cohort_over_the_api_logs_its_patients_and_who_asked(clinic: WebClinic) -> None:
    answer, entry, names = _get(clinic, "coordinator", "/api/patients?sort=patient")

    assert names == sorted(p["patient_id"] for p in answer.json()["patients"]) == PATIENTS
    assert (entry.actor, entry.role, entry.via, entry.what) == (
        "coord-anna",
        "coordinator",
        "api",
        "cohort",
    )
    assert entry.query == "sort=patient"


def test_a_page_of_the_cohort_logs_only_that_pages_patients(clinic: WebClinic) -> None:
    answer, entry, names = _get(clinic, "clinician", "/api/patients?sort=patient&limit=1")

    assert [p["patient_id"] for p in answer.json()["patients"]] == names == ["P-001"]
    assert entry.patients == 1


def test_the_alerts_list_logs_the_patients_whose_alerts_it_shows(clinic: WebClinic) -> None:
    answer, entry, names = _get(clinic, "clinician", "/api/alerts")

    shown = sorted({a["patient_id"] for a in answer.json()["alerts"]})
    assert shown and names == shown and entry.actor == "dr-ben"


def test_an_alerts_list_that_shows_nobody_is_logged_with_no_patients(clinic: WebClinic) -> None:
    answer, entry, names = _get(clinic, "auditor", "/api/alerts?patient=NOBODY-1")

    assert answer.json()["count"] == 0 and names == [] and entry.patients == 0


def test_the_worklist_logs_the_patients_of_its_tasks(clinic: WebClinic) -> None:
    answer, entry, names = _get(clinic, "coordinator", "/api/tasks?to=2027-12-31")

    assert names == sorted({t["patient_id"] for t in answer.json()["tasks"]}) != []
    assert entry.what == "tasks" and entry.query == "to=2027-12-31"


def test_the_tasks_calendar_download_logs_its_patients(clinic: WebClinic) -> None:
    answer, entry, names = _get(clinic, "coordinator", "/api/tasks/calendar.ics")

    assert names == _mentioned(answer.text) != [] and entry.what == "tasks calendar"


@pytest.mark.parametrize("fmt", ["html", "csv", "json", "pdf"])
def test_each_cohort_report_format_logs_every_patient_in_it(clinic: WebClinic, fmt: str) -> None:
    _, entry, names = _get(clinic, "auditor", f"/api/reports/cohort?from=2026-01-01&format={fmt}")

    assert names == PATIENTS
    assert (entry.actor, entry.what) == ("audit-cleo", f"cohort report ({fmt})")


def test_the_cohort_fhir_export_is_one_entry_for_every_patient(clinic: WebClinic) -> None:
    answer, entry, names = _get(clinic, "auditor", "/api/fhir/cohort")

    assert names == PATIENTS == _mentioned(answer.text)
    assert entry.what == "fhir export (cohort)"


def test_a_calendar_subscription_logs_each_poll_as_its_user(clinic: WebClinic) -> None:
    feed = issue_feed(clinic.app, PEOPLE["coordinator"], "all", by=PEOPLE["coordinator"])
    for _ in range(2):
        answer, entry, names = _get(clinic, "coordinator", f"/calendar/{feed.token}.ics")
        assert names == _mentioned(answer.text) != []
        assert (entry.actor, entry.role, entry.via) == ("coord-anna", "coordinator", "calendar")


def test_an_unknown_calendar_secret_logs_nothing(clinic: WebClinic) -> None:
    before = len(_entries(clinic))
    with clinic.client() as client:
        assert client.get(f"/calendar/{'x' * 43}.ics").status_code == 404
    assert len(_entries(clinic)) == before


def test_a_refused_listing_logs_nothing(clinic: WebClinic) -> None:
    before = len(_entries(clinic))
    with clinic.client("admin") as client:
        assert client.get("/api/reports/cohort?from=2026-01-01").status_code == 403
    assert len(_entries(clinic)) == before


@pytest.fixture
def signed_in(clinic: WebClinic) -> Iterator[httpx.Client]:
    """The coordinator signed in to the dashboard (a session, as a browser holds it)."""
    with httpx.Client(base_url=clinic.url, timeout=60) as client:
        answer = client.post(
            "/login", data={"username": PEOPLE["coordinator"], "password": PASSWORD}
        )
        assert answer.status_code == 303, answer.text
        # The cookie is Secure: browsers send it to 127.0.0.1, httpx's jar does not.
        client.headers["Cookie"] = f"ildpath_session={client.cookies['ildpath_session']}"
        yield client


@pytest.mark.parametrize(
    ("path", "what"),
    [("/", "board"), ("/tasks?to=2027-12-31", "tasks"), ("/reminders", "failing reminders")],
)
def test_each_dashboard_listing_is_one_entry_of_the_signed_in_person(
    clinic: WebClinic, signed_in: httpx.Client, path: str, what: str
) -> None:
    before = len(_entries(clinic))
    answer = signed_in.get(path)
    assert answer.status_code == 200

    entry, names = _one_new_entry(clinic, before)
    assert (entry.actor, entry.via, entry.what) == ("coord-anna", "dashboard", what)
    assert names == [p for p in PATIENTS if re.search(rf"\b{p}\b", answer.text)]


def test_every_listing_logged_over_http_verifies(clinic: WebClinic) -> None:
    from ildpath.usecases.audit import verify_audit

    report = verify_audit(clinic.app)
    assert report.findings == [] and report.listings == len(_entries(clinic)) > 0
    assert json.loads(json.dumps(report.as_json()))["listings"] == report.listings


def test_the_access_log_of_a_patient_shows_listings_and_views_to_an_auditor(
    clinic: WebClinic,
) -> None:
    with clinic.client("clinician") as client:
        assert client.get("/api/patients/P-002").status_code == 200
        assert client.get("/api/alerts").status_code == 200
    with clinic.client("auditor") as client:
        answer = client.get("/api/patients/P-002/access-log")
    assert answer.status_code == 200
    accesses = answer.json()["accesses"]
    assert (accesses[-2]["kind"], accesses[-2]["what"], accesses[-2]["actor"]) == (
        "record",
        "patient record",
        "dr-ben",
    )
    assert (accesses[-1]["kind"], accesses[-1]["what"], accesses[-1]["actor"]) == (
        "listing",
        "alerts",
        "dr-ben",
    )
    assert any(a["what"] == "cohort report (csv)" for a in accesses)


def test_the_access_log_of_a_patient_is_refused_to_a_coordinator(clinic: WebClinic) -> None:
    with clinic.client("coordinator") as client:
        assert client.get("/api/patients/P-002/access-log").status_code == 403


def test_the_access_log_of_an_unknown_patient_is_404_and_logs_nothing(clinic: WebClinic) -> None:
    before = len(_entries(clinic))
    with clinic.client("auditor") as client:
        answer = client.get("/api/patients/NOBODY-9/access-log")
    assert answer.status_code == 404 and "NOBODY-9" in answer.text
    assert len(_entries(clinic)) == before
