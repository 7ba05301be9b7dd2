"""Acting on a task over HTTP (§8): coordinators and clinicians decline, reschedule and assign
by the id the worklist shows; read-only roles are refused; a refusal names the field and
writes nothing."""

from typing import Any

from tests.web import WebClinic


def worklist(clinic: WebClinic, patient: str = "P-001") -> dict[str, dict[str, Any]]:
    with clinic.client("coordinator") as anna:
        found = anna.get("/api/tasks", params={"patient": patient, "to": "2027-12-31"})
    assert found.status_code == 200, found.text
    return {t["kind"]: t for t in found.json()["tasks"]}


def test_a_coordinator_declines_a_vaccination_by_its_worklist_id(clinic: WebClinic) -> None:
    covid = worklist(clinic)["vaccination_covid19"]
    with clinic.client("coordinator") as anna:
        done = anna.post(
            f"/api/tasks/{covid['id']}/decline", json={"reason": "declined by the patient"}
        )
    assert done.status_code == 201, done.text
    assert done.json()["tasks_closed"] == [
        {"id": covid["id"], "kind": "vaccination_covid19", "status": "declined"}
    ]
    assert "vaccination_covid19" not in worklist(clinic)


def test_a_rescheduled_task_is_not_overdue_before_its_new_date(clinic: WebClinic) -> None:
    pft = worklist(clinic)["pft"]
    assert pft["overdue"] is True
    with clinic.client("clinician") as ben:
        done = ben.post(
            f"/api/tasks/{pft['id']}/reschedule",
            json={"due": "2026-11-20", "reason": "spirometry booked"},
        )
    assert done.status_code == 201, done.text
    moved = worklist(clinic)["pft"]
    assert (moved["due_on"], moved["engine_due_on"], moved["overdue"]) == (
        "2026-11-20",
        pft["due_on"],
        False,
    )


def test_a_task_is_assigned_to_an_active_account(clinic: WebClinic) -> None:
    flu = worklist(clinic)["vaccination_influenza"]
    with clinic.client("coordinator") as anna:
        done = anna.post(f"/api/tasks/{flu['id']}/assignment", json={"assignee": "dr-ben"})
    assert done.status_code == 201, done.text
    assert worklist(clinic)["vaccination_influenza"]["assignee"] == "dr-ben"


def test_refusals_name_the_field_and_write_nothing(clinic: WebClinic) -> None:
    tasks = worklist(clinic)
    pft, pneumo = tasks["pft"]["id"], tasks["vaccination_pneumococcal"]["id"]
    before = clinic.app.store.fingerprint()
    with clinic.client("coordinator") as anna:
        monitoring = anna.post(f"/api/tasks/{pft}/decline", json={"reason": "no"})
        nobody = anna.post(f"/api/tasks/{pft}/assignment", json={"assignee": "ghost"})
        unknown = anna.post("/api/tasks/999999/decline", json={"reason": "no"})
        blank = anna.post(f"/api/tasks/{pneumo}/decline", json={"reason": " "})
        past = anna.post(
            f"/api/tasks/{pft}/reschedule", json={"due": "2026-01-01", "reason": "late"}
        )
    with clinic.client("auditor") as cleo:
        auditor = cleo.post(f"/api/tasks/{pneumo}/decline", json={"reason": "no"})
    assert (monitoring.status_code, monitoring.json()["field"]) == (422, "task")
    assert "vaccination_influenza" in monitoring.json()["allowed"]
    assert (nobody.status_code, nobody.json()["field"]) == (422, "assignee")
    assert unknown.status_code == 404
    assert (blank.status_code, blank.json()["field"]) == (422, "reason")
    assert (past.status_code, past.json()["field"]) == (422, "due")
    assert auditor.status_code == 403
    assert clinic.app.store.fingerprint() == before


def test_the_patient_record_shows_declined_rescheduled_and_assigned_tasks(
    clinic: WebClinic,
) -> None:
    with clinic.client("auditor") as cleo:
        page = cleo.get("/api/patients/P-001")
    assert page.status_code == 200, page.text
    tasks = {t["kind"]: t for t in page.json()["tasks"]}
    assert tasks["vaccination_covid19"]["status"] == "declined"
    assert tasks["vaccination_covid19"]["declined_reason"] == "declined by the patient"
    assert tasks["pft"]["rescheduled_to"] == "2026-11-20"
    assert tasks["pft"]["due_in_force"] == "2026-11-20"
    assert tasks["vaccination_influenza"]["assignee"] == "dr-ben"
