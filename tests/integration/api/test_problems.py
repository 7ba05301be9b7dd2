"""Every refusal of the API is an RFC 9457 problem naming the field, and writes nothing."""

import pytest
from sqlalchemy import func
from sqlmodel import select

from persistence.tables import AuditEventRow


def _audit_events(clinic) -> int:
    with clinic.app.transaction() as session:
        return int(session.exec(select(func.count()).select_from(AuditEventRow)).one())


def _problem(answer, status: int) -> dict:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body = answer.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:ildpath:problem:")
    assert body["title"] and body["detail"]
    return body


@pytest.mark.parametrize(
    ("path", "body", "field", "allowed"),
    [
        (
            "/api/patients/P-001/observations",
            {"kind": "spirometry", "fvc_pct": 70},
            "kind",
            "pft, cmv, hrct, oxygen",
        ),
        (
            "/api/patients/P-001/observations",
            {"kind": "pft", "fvc_pct": 900},
            "fvc_pct",
            "10",
        ),
        (
            "/api/patients/P-001/therapies",
            {"action": "start", "agent": "aspirin-ish"},
            "agent",
            "tacrolimus",
        ),
        (
            "/api/patients/P-001/observations",
            {"kind": "oxygen", "oxygen": "plenty"},
            "oxygen",
            "high_flow",
        ),
        (
            "/api/patients/P-001/observations",
            {"kind": "pft", "fvc_pct": 70, "on": "2027-01-01"},
            "on",
            "",
        ),
        (
            "/api/patients",
            {"id": "X-1", "sex": "robot", "birth_date": "1970-01-01", "diagnosis": "polymyositis"},
            "sex",
            "female",
        ),
    ],
)
def test_a_wrong_value_is_422_naming_the_field_and_the_allowed_values(
    clinic, path, body, field, allowed
):
    before = _audit_events(clinic)
    with clinic.client("clinician") as client:
        problem = _problem(client.post(path, json=body), 422)

    assert problem["field"] == field
    assert allowed in problem["allowed"]
    assert _audit_events(clinic) == before


def test_a_body_of_the_wrong_shape_is_422_naming_the_field(clinic):
    with clinic.client("clinician") as client:
        problem = _problem(
            client.post("/api/patients/P-001/observations", json={"kind": "pft", "fvc": 70}), 422
        )

    assert problem["field"] == "fvc"
    assert problem["errors"]


def test_an_unknown_patient_is_404(clinic):
    with clinic.client("auditor") as client:
        problem = _problem(client.get("/api/patients/NOBODY"), 404)

    assert "NOBODY" in problem["detail"]


def test_a_trigger_not_allowed_from_the_state_is_409_with_the_allowed_triggers(clinic):
    with clinic.client("clinician") as client:
        problem = _problem(
            client.post("/api/patients/P-001/transitions", json={"trigger": "achieve_response"}),
            409,
        )

    assert problem["field"] == "trigger"
    assert "start_induction" in problem["allowed"]


def test_a_trigger_whose_guard_fails_is_422_saying_what_is_missing(clinic):
    before = _audit_events(clinic)
    with clinic.client("clinician") as client:
        problem = _problem(
            client.post("/api/patients/P-001/transitions", json={"trigger": "start_induction"}),
            422,
        )

    assert any("immunosuppressive" in m for m in problem["missing"])
    assert _audit_events(clinic) == before


def test_an_acknowledgement_needs_a_justification(clinic):
    with clinic.client("clinician") as client:
        alerts = client.get("/api/alerts", params={"patient": "P-002"}).json()["alerts"]
        problem = _problem(
            client.post(
                f"/api/alerts/{alerts[0]['id']}/acknowledgement", json={"justification": "  "}
            ),
            422,
        )

    assert problem["field"] == "justification"


def test_an_unknown_route_is_a_problem_too(clinic):
    with clinic.client("clinician") as client:
        _problem(client.get("/api/nothing-here"), 404)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {
                "action": "start",
                "agent": "methotrexate",
                "dose": "15",
                "unit": "mg",
                "every": "week",
            },
            "dose",
        ),
        (
            {
                "action": "start",
                "agent": "methotrexate",
                "dose": True,
                "unit": "mg",
                "every": "week",
            },
            "dose",
        ),
        ({"action": "start", "agent": "prednisone", "dose_mg_per_day": "20"}, "dose_mg_per_day"),
        (
            {"action": "start", "agent": "prednisone", "dose": 40, "unit": "mg/m2", "every": "day"},
            "unit",
        ),
        (
            {"action": "start", "agent": "prednisone", "dose": 60, "unit": "mg", "every": "week"},
            "every",
        ),
        (
            {"action": "start", "agent": "prednisone", "dose": 2000, "unit": "mg", "every": "day"},
            "dose",
        ),
        ({"action": "start", "agent": "prednisone", "dose": 20}, "unit"),
    ],
)
def test_a_dose_that_is_text_a_boolean_or_does_not_fit_the_agent_is_422(clinic, body, field):
    """§11: a number sent as text or a boolean is refused, not read as a number; a unit or a
    schedule that does not fit, or a dose above the agent's limit, names the field."""
    before = _audit_events(clinic)
    with clinic.client("clinician") as client:
        problem = _problem(client.post("/api/patients/P-001/therapies", json=body), 422)

    assert problem["field"] == field
    assert _audit_events(clinic) == before


def test_a_weekly_dose_is_recorded_and_shown_as_written(clinic):
    body = {"action": "start", "agent": "methotrexate", "dose": 15, "unit": "mg", "every": "week"}
    with clinic.client("clinician") as client:
        answer = client.post("/api/patients/P-001/therapies", json=body)
        assert answer.status_code == 201, answer.text
        patient = client.get("/api/patients/P-001").json()

    [therapy] = [t for t in patient["active_therapies"] if t["agent"] == "methotrexate"]
    assert therapy["dose_text"] == "15 mg every week"


def test_a_height_sent_as_text_is_422(clinic):
    with clinic.client("clinician") as client:
        problem = _problem(
            client.patch(
                "/api/patients/P-001/phenotype", json={"field": "height_cm", "value": "170"}
            ),
            422,
        )

    assert problem["field"] == "height_cm"


def test_a_wrong_value_names_the_field_as_the_dashboard_form_labels_it_beside_its_code(clinic):
    with clinic.client("clinician") as client:
        problem = _problem(
            client.post("/api/patients/P-001/observations", json={"kind": "pft", "fvc_pct": 500}),
            422,
        )

    assert (problem["field"], problem["field_label"]) == ("fvc_pct", "FVC % predicted")
