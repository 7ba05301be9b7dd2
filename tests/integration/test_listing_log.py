"""Every listing of several patients is logged: one access-log entry per request naming
exactly the patients shown, chained, verified by `audit verify`, and append-only (SQLite and
PostgreSQL)."""

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, select

from ildpath.bootstrap import App
from ildpath.fhir.exporting import export_cohort, export_patient
from ildpath.reports.output import cohort_report
from ildpath.settings import Settings
from ildpath.usecases import Actor
from ildpath.usecases.audit import verify_audit
from ildpath.usecases.audit_checkpoint import append_checkpoint
from ildpath.usecases.cohort import CohortQuery, find_patients
from ildpath.usecases.listings import Listing, log_listing
from ildpath.usecases.tasks import tasks_calendar
from persistence.audit_protection import LISTING_TABLES
from persistence.database import make_engine
from persistence.listing_views import ListingPatientRow, ListingViewRow
from persistence.tables import PatientRow

from .apps import clinic, enrol
from .tampering import tamper

DAY = date(2026, 3, 2)
COORDINATOR = Actor("coord-ada", "coordinator")
AUDITOR = Actor("audit-cleo", "auditor")
PATIENTS = ("P-001", "P-002", "P-003")


@pytest.fixture
def app(database_url: str) -> Iterator[App]:
    with clinic(database_url, DAY) as (app, _):
        for patient in PATIENTS:
            enrol(app, patient)
        yield app


def _entries(app: App) -> list[tuple[ListingViewRow, list[str]]]:
    """Each entry with the external ids of the patients it names."""
    with app.transaction() as session:
        rows = list(session.exec(select(ListingViewRow).order_by(col(ListingViewRow.seq))))
        found = []
        for row in rows:
            names = session.exec(
                select(PatientRow.external_id)
                .join(ListingPatientRow, col(ListingPatientRow.patient_id) == col(PatientRow.id))
                .where(ListingPatientRow.listing_id == row.id)
                .order_by(col(PatientRow.external_id))
            )
            found.append((row, list(names)))
        return found


def test_a_cohort_report_is_one_entry_naming_every_patient_in_it(app: App) -> None:
    asked = Listing(AUDITOR, "api", "cohort report (csv)", "from=2026-01-01")
    cohort_report(app, date(2026, 1, 1), DAY, "csv", listing=asked)

    [(entry, names)] = _entries(app)
    assert names == list(PATIENTS)
    assert (entry.actor, entry.role, entry.via, entry.what, entry.patients) == (
        "audit-cleo",
        "auditor",
        "api",
        "cohort report (csv)",
        3,
    )
    assert entry.query == "from=2026-01-01"


def test_a_pseudonymised_report_still_names_the_real_patients_in_the_log(app: App) -> None:
    asked = Listing(AUDITOR, "cli", "cohort report (json)")
    cohort_report(app, date(2026, 1, 1), DAY, "json", pseudonymise=True, listing=asked)

    [(_, names)] = _entries(app)
    assert names == list(PATIENTS)


def test_the_tasks_calendar_names_the_patients_of_its_events(app: App) -> None:
    data = tasks_calendar(app, Listing(COORDINATOR, "api", "tasks calendar"))

    [(entry, names)] = _entries(app)
    assert names == [p for p in PATIENTS if p.encode() in data]
    assert names and entry.patients == len(names)


def test_a_cohort_fhir_export_is_one_entry_not_one_view_per_patient(app: App) -> None:
    export_cohort(app, AUDITOR, via="api")

    [(entry, names)] = _entries(app)
    assert names == list(PATIENTS) and entry.what == "fhir export (cohort)"


def test_a_patients_fhir_export_carries_the_listings_that_named_them(app: App) -> None:
    log_listing(app, Listing(COORDINATOR, "dashboard", "board", "q=P-00"), PATIENTS)
    log_listing(app, Listing(COORDINATOR, "api", "tasks"), ["P-002"])

    bundle = json.loads(export_patient(app, "P-001", AUDITOR, via="api"))

    reads = [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "AuditEvent"
        and e["resource"]["id"].startswith("listing-")
    ]
    [board] = reads  # the tasks listing did not name P-001
    details = {d["type"]: d["valueString"] for d in board["entity"][0]["detail"]}
    assert details == {
        "via": "dashboard",
        "what": "board",
        "query": "q=P-00",
        "patients shown": "3",
    }
    assert board["agent"][0]["name"] == "coord-ada" and board["action"] == "R"


def test_a_page_of_the_cohort_logs_that_pages_patients_only(app: App) -> None:
    page = find_patients(app, CohortQuery(sort="patient"), offset=1, limit=1)
    log_listing(
        app, Listing(COORDINATOR, "api", "cohort", "limit=1"), [e.patient_id for e in page.entries]
    )

    [(entry, names)] = _entries(app)
    assert names == ["P-002"] and entry.patients == 1


def test_an_empty_listing_is_logged_with_no_patients(app: App) -> None:
    log_listing(app, Listing(COORDINATOR, "api", "alerts", "severity=critical"), [])

    [(entry, names)] = _entries(app)
    assert names == [] and entry.patients == 0
    assert verify_audit(app).findings == []


def test_a_patient_listed_twice_in_one_listing_is_named_once(app: App) -> None:
    log_listing(app, Listing(COORDINATOR, "api", "tasks"), ["P-001", "P-001", "P-002"])

    [(entry, names)] = _entries(app)
    assert names == ["P-001", "P-002"] and entry.patients == 2


def test_listings_chain_and_verify_and_are_counted(app: App) -> None:
    for n in range(3):
        log_listing(app, Listing(COORDINATOR, "dashboard", "board", f"page={n}"), PATIENTS)

    entries = [entry for entry, _ in _entries(app)]
    assert [e.seq for e in entries] == [1, 2, 3]
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
    report = verify_audit(app)
    assert report.findings == [] and report.listings == 3


def test_simultaneous_listings_are_all_logged_in_one_unbroken_chain(app: App) -> None:
    def look(n: int) -> None:
        log_listing(app, Listing(Actor(f"user-{n}", "coordinator"), "api", "tasks"), PATIENTS)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(look, range(12)))

    assert sorted(entry.seq for entry, _ in _entries(app)) == list(range(1, 13))
    assert verify_audit(app).findings == []


@pytest.mark.writes_outside_the_writer
def test_an_altered_entry_is_found_by_audit_verify(app: App) -> None:
    log_listing(app, Listing(COORDINATOR, "api", "cohort"), PATIENTS)
    tamper(app.engine, "UPDATE listing_view SET actor = 'someone-else'")

    found = [f for f in verify_audit(app).findings if f.chain == "listings"]
    assert [(f.table, f.seq) for f in found] == [("listing_view", 1)]
    assert "altered" in found[0].line()


@pytest.mark.writes_outside_the_writer
def test_a_patient_taken_out_of_an_entry_is_found_by_audit_verify(app: App) -> None:
    log_listing(app, Listing(COORDINATOR, "api", "cohort"), PATIENTS)
    log_listing(app, Listing(COORDINATOR, "api", "cohort"), PATIENTS)
    tamper(
        app.engine,
        "DELETE FROM listing_view_patient WHERE listing_id = "
        "(SELECT id FROM listing_view WHERE seq = 2) AND patient_id = "
        "(SELECT id FROM patient WHERE external_id = 'P-002')",
    )

    found = [f for f in verify_audit(app).findings if f.chain == "listings"]
    assert [f.seq for f in found] == [2]


@pytest.mark.writes_outside_the_writer
def test_a_patient_swapped_into_an_entry_is_found_by_audit_verify(app: App) -> None:
    log_listing(app, Listing(COORDINATOR, "api", "tasks"), ["P-001"])
    tamper(
        app.engine,
        "UPDATE listing_view_patient SET patient_id = "
        "(SELECT id FROM patient WHERE external_id = 'P-003')",
    )

    found = [f for f in verify_audit(app).findings if f.chain == "listings"]
    assert [f.seq for f in found] == [1]


@pytest.mark.writes_outside_the_writer
def test_a_deleted_entry_is_found_by_audit_verify(app: App) -> None:
    for _ in range(3):
        log_listing(app, Listing(COORDINATOR, "api", "alerts"), ["P-001"])
    tamper(
        app.engine,
        "DELETE FROM listing_view_patient WHERE listing_id = "
        "(SELECT id FROM listing_view WHERE seq = 2)",
        "DELETE FROM listing_view WHERE seq = 2",
    )

    lines = [f.line() for f in verify_audit(app).findings if f.chain == "listings"]
    assert any("entry 2 is missing" in line for line in lines)


@pytest.mark.writes_outside_the_writer
def test_the_newest_entries_deleted_after_a_checkpoint_are_named(app: App, tmp_path: Path) -> None:
    app.settings = Settings(
        database_url=app.settings.database_url, audit_checkpoint_file=tmp_path / "heads.jsonl"
    )
    for _ in range(3):
        log_listing(app, Listing(COORDINATOR, "calendar", "calendar feed (all)"), PATIENTS)
    append_checkpoint(app)
    tamper(
        app.engine,
        "DELETE FROM listing_view_patient WHERE listing_id IN "
        "(SELECT id FROM listing_view WHERE seq >= 2)",
        "DELETE FROM listing_view WHERE seq >= 2",
    )

    lines = [f.line() for f in verify_audit(app).findings if f.chain == "listings"]
    assert any("listings 2..3 removed after the checkpoint" in line for line in lines), lines


def _refused(engine: Engine, statement: str) -> str:
    with pytest.raises(DBAPIError) as refused, engine.begin() as connection:
        connection.execute(text(statement))
    return str(refused.value.orig)


@pytest.mark.writes_outside_the_writer
@pytest.mark.parametrize("table", LISTING_TABLES)
@pytest.mark.parametrize("change", ["UPDATE {table} SET id = id", "DELETE FROM {table}"])
def test_the_listing_log_refuses_update_and_delete(app: App, table: str, change: str) -> None:
    log_listing(app, Listing(COORDINATOR, "api", "cohort"), PATIENTS)

    problem = _refused(app.engine, change.format(table=table))
    assert f"{table} is append-only" in problem or f"permission denied for table {table}" in problem
    with app.engine.connect() as connection:
        assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() >= 1


@pytest.mark.writes_outside_the_writer
def test_even_the_owner_may_not_change_the_listing_log_while_protected(
    app: App, owner_url: str
) -> None:
    log_listing(app, Listing(COORDINATOR, "api", "cohort"), PATIENTS)
    owner = make_engine(owner_url)
    try:
        for table in LISTING_TABLES:
            assert f"{table} is append-only" in _refused(owner, f"DELETE FROM {table}")
    finally:
        owner.dispose()


@pytest.mark.writes_outside_the_writer
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_the_app_role_may_only_read_and_append_to_the_listing_log(app: App) -> None:
    log_listing(app, Listing(COORDINATOR, "api", "cohort"), PATIENTS)

    for table in LISTING_TABLES:
        problem = _refused(app.engine, f"UPDATE {table} SET id = id")
        assert f"permission denied for table {table}" in problem
    assert "permission denied for table audit_event" in _refused(
        app.engine, "UPDATE audit_event SET actor = 'x'"
    )
