"""Each role can do its part over the API and nothing more; a refusal writes nothing."""

from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from persistence.account_tables import ApiTokenRow, UserRow
from persistence.audit import AuditEventRow
from persistence.tables import AlertRow, ObservationRow, PatientRow, TransitionRow
from tests.web import WebClinic

EVERYONE = ("coordinator", "clinician", "auditor", "admin")
RECORDERS = ("coordinator", "clinician")
CLINICIANS = ("clinician",)
REPORTERS = ("coordinator", "clinician", "auditor")
ADMINS = ("admin",)
ACCESS_LOG_READERS = ("auditor", "admin")

ACTIONS: dict[str, tuple[tuple[str, ...], str, str, dict[str, Any] | None]] = {
    "see the cohort": (EVERYONE, "GET", "/api/patients", None),
    "see a patient": (EVERYONE, "GET", "/api/patients/P-001", None),
    "see the alerts": (EVERYONE, "GET", "/api/alerts", None),
    "see the worklist": (EVERYONE, "GET", "/api/tasks", None),
    "see the calendar": (EVERYONE, "GET", "/api/tasks/calendar.ics", None),
    "see the pathway": (EVERYONE, "GET", "/api/pathway/diagram?format=mermaid", None),
    "enrol": (
        RECORDERS,
        "POST",
        "/api/patients",
        {
            "id": "NEW-{role}",
            "sex": "male",
            "birth_date": "1960-01-01",
            "diagnosis": "polymyositis",
            "ild_course": "progressive",
        },
    ),
    "record a PFT": (
        RECORDERS,
        "POST",
        "/api/patients/P-001/observations",
        {"kind": "pft", "fvc_pct": 71, "dlco_pct": 55, "on": "2026-10-20"},
    ),
    "record a therapy": (
        RECORDERS,
        "POST",
        "/api/patients/P-001/therapies",
        {"action": "start", "agent": "prednisone", "dose_mg_per_day": 30, "on": "2026-10-21"},
    ),
    "record a procedure": (
        RECORDERS,
        "POST",
        "/api/patients/P-001/procedures",
        {"kind": "pulmonary_rehabilitation", "on": "2026-10-22"},
    ),
    "record a vaccination": (
        RECORDERS,
        "POST",
        "/api/patients/P-001/vaccinations",
        {"kind": "influenza", "on": "2026-10-23"},
    ),
    "amend the phenotype": (
        RECORDERS,
        "PATCH",
        "/api/patients/P-001/phenotype",
        {"field": "weight_kg", "value": 61, "on": "2026-10-24"},
    ),
    "fire a trigger": (
        CLINICIANS,
        "POST",
        "/api/patients/P-002/transitions",
        {"trigger": "start_induction", "on": "2026-10-05"},
    ),
    "acknowledge an alert": (
        CLINICIANS,
        "POST",
        "/api/alerts/{alert}/acknowledgement",
        {"justification": "Infliximab stopped today after discussion; see the clinic letter."},
    ),
    "report on the cohort": (
        REPORTERS,
        "GET",
        "/api/reports/cohort?from=2026-10-01&to=2026-11-01&format=csv",
        None,
    ),
    "report on a patient": (REPORTERS, "GET", "/api/patients/P-001/report?format=json", None),
    "see who saw a patient": (
        ACCESS_LOG_READERS,
        "GET",
        "/api/patients/P-001/access-log",
        None,
    ),
    "list accounts": (ADMINS, "GET", "/api/users", None),
    "add an account": (
        ADMINS,
        "POST",
        "/api/users",
        {"username": "new-{role}", "role": "auditor", "password": "a-long-enough-secret"},
    ),
    "issue a token": (ADMINS, "POST", "/api/users/audit-cleo/tokens", {"name": "by-{role}"}),
}


def _alert_id(clinic: WebClinic) -> int:
    with clinic.app.transaction() as session:
        return int(
            session.exec(select(func.min(AlertRow.id)).where(AlertRow.code == "AVOID_AGENT")).one()
        )


def _send(clinic: WebClinic, role: str, action: str) -> Any:
    _, method, path, body = ACTIONS[action]
    path = path.format(alert=_alert_id(clinic))
    if body is not None:
        body = {k: v.format(role=role) if isinstance(v, str) else v for k, v in body.items()}
    with clinic.client(role) as client:
        return client.request(method, path, json=body)


def _everything_written(clinic: WebClinic) -> tuple[int, ...]:
    """A fingerprint of every table a refused request could have touched."""
    with clinic.app.transaction() as session:
        counts = tuple(
            int(session.exec(select(func.count()).select_from(table)).one())
            for table in (
                PatientRow,
                ObservationRow,
                TransitionRow,
                AuditEventRow,
                UserRow,
                ApiTokenRow,
            )
        )
        acknowledged = session.exec(
            select(func.count())
            .select_from(AlertRow)
            .where(col(AlertRow.acknowledged_at).is_not(None))
        ).one()
        versions = tuple(session.exec(select(PatientRow.version).order_by(col(PatientRow.id))))
    return (*counts, int(acknowledged), *versions)


REFUSED = [(a, r) for a, (holders, *_) in ACTIONS.items() for r in EVERYONE if r not in holders]
ALLOWED = [(a, r) for a, (holders, *_) in ACTIONS.items() for r in holders]


@pytest.mark.parametrize(("action", "role"), REFUSED)
def test_a_role_is_refused_what_it_may_not_do_and_nothing_is_written(clinic, action, role):
    before = _everything_written(clinic)

    answer = _send(clinic, role, action)

    assert answer.status_code == 403, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert f"role: '{role}' may not" in answer.json()["detail"]
    assert _everything_written(clinic) == before


@pytest.mark.parametrize(("action", "role"), ALLOWED)
def test_each_role_can_do_its_part(clinic, action, role):
    answer = _send(clinic, role, action)

    assert answer.status_code in (200, 201), answer.text


def test_without_a_token_nothing_is_shown(clinic):
    with clinic.client() as client:
        answer = client.get("/api/patients/P-001")

    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert answer.json()["type"] == "urn:ildpath:problem:http-401"


def test_a_revoked_token_stops_working_at_once(clinic):
    with clinic.client("admin") as admin:
        issued = admin.post("/api/users/dr-ben/tokens", json={"name": "laptop"}).json()["token"]
        listed = admin.get("/api/users/dr-ben/tokens").json()["tokens"]
        token_id = next(t["id"] for t in listed if t["name"] == "laptop")
        with clinic.client() as anyone:
            headers = {"Authorization": f"Bearer {issued}"}
            assert anyone.get("/api/patients", headers=headers).status_code == 200
            assert admin.delete(f"/api/tokens/{token_id}").status_code == 204
            assert anyone.get("/api/patients", headers=headers).status_code == 401
