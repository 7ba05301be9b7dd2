"""The working lists over HTTP: `/api/patients` and `/api/tasks` a page at a time (``limit``,
``next_cursor``), in the order of the board and `ildpath cohort`; and *done* on a task, which
records the entry that closes it (§8)."""

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from ildpath.usecases.cohort import CohortQuery, list_cohort
from tests.integration.apps import enrol
from tests.web import WebClinic, web_clinic

TODAY = date(2026, 11, 2)
COHORT = 60


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebClinic]:
    folder = tmp_path_factory.mktemp("lists")
    with web_clinic(f"sqlite:///{folder}/clinic.db", TODAY, dashboard=False) as served:
        for n in range(COHORT):
            enrol(served.app, f"S-{n:03d}", enrolled_on=TODAY - timedelta(days=n * 3))
        yield served


def _all_pages(clinic: WebClinic, path: str, key: str, **params: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor = None
    with clinic.client("coordinator") as anna:
        while True:
            page = anna.get(path, params={**params, **({"cursor": cursor} if cursor else {})})
            assert page.status_code == 200, page.text
            body = page.json()
            found += body[key]
            assert body["returned"] == len(body[key]) <= params.get("limit", 50)
            cursor = body["next_cursor"]
            if cursor is None:
                return found


def test_the_cohort_comes_a_page_at_a_time_in_the_boards_order(clinic: WebClinic) -> None:
    with clinic.client("coordinator") as anna:
        first = anna.get("/api/patients").json()
    assert (first["count"], first["returned"]) == (COHORT, 50)  # never the whole cohort
    pages = _all_pages(clinic, "/api/patients", "patients")
    board = [e.patient_id for e in list_cohort(clinic.app, CohortQuery())]
    assert [p["patient_id"] for p in pages] == board  # the CLI and the board's order
    assert len(set(board)) == COHORT
    small = _all_pages(clinic, "/api/patients", "patients", limit=7, sort="patient")
    assert [p["patient_id"] for p in small] == sorted(board)


def test_a_cursor_from_another_query_or_a_forged_one_is_refused(clinic: WebClinic) -> None:
    with clinic.client("coordinator") as anna:
        cursor = anna.get("/api/patients", params={"limit": 5}).json()["next_cursor"]
        other = anna.get("/api/patients", params={"limit": 5, "sort": "patient", "cursor": cursor})
        forged = anna.get("/api/patients", params={"cursor": "not-a-cursor"})
        too_many = anna.get("/api/patients", params={"limit": 501})
    for refused in (other, forged):
        assert refused.status_code == 422
        assert "cursor" in refused.text and "next_cursor" in refused.text
    assert too_many.status_code == 422 and "limit" in too_many.text


def test_the_worklist_pages_soonest_first_with_its_totals(clinic: WebClinic) -> None:
    tasks = _all_pages(clinic, "/api/tasks", "tasks", limit=40, to="2027-12-31")
    with clinic.client("coordinator") as anna:
        head = anna.get("/api/tasks", params={"limit": 40, "to": "2027-12-31"}).json()
    assert head["count"] == len(tasks) > 40
    assert head["overdue"] == sum(t["overdue"] for t in tasks) > 0
    assert [t["due_on"] for t in tasks] == sorted(t["due_on"] for t in tasks)
    assert len({t["id"] for t in tasks}) == len(tasks)


def test_done_records_the_entry_that_closes_the_task(clinic: WebClinic) -> None:
    with clinic.client("coordinator") as anna:
        listed = anna.get("/api/tasks", params={"patient": "S-000", "kind": "pft"}).json()
        [pft] = listed["tasks"]
        bare = anna.post(f"/api/tasks/{pft['id']}/done", json={})
        done = anna.post(
            f"/api/tasks/{pft['id']}/done",
            json={"on": TODAY.isoformat(), "values": {"fvc_pct": 74, "dlco_pct": 61}},
        )
        again = anna.post(f"/api/tasks/{pft['id']}/done", json={"values": {"fvc_pct": 70}})
    assert bare.status_code == 422 and "fvc_pct" in bare.text  # a PFT needs its values
    assert done.status_code == 201, done.text
    assert done.json()["task_closed"] is True
    assert {"id": pft["id"], "kind": "pft", "status": "done"} in done.json()["tasks_closed"]
    assert again.status_code == 422 and "an open task" in again.text
