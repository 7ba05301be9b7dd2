"""Issue 22 through the API: a look-alike id is refused as a problem naming ``id`` and the rule
it breaks, and writes nothing; a write is never answered with a server error (an id a
clinic's pattern allows but Latin-1 cannot spell is enrolled once, at a percent-encoded
``Location``); a date far outside the accepted range is a 422 naming the field and the range,
in a query or a body."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from persistence.tables import AuditEventRow, PatientRow
from tests.web import WebClinic, web_clinic

from .conftest import TODAY

RANGE = "a date from 1900-01-01 to 2200-12-31"
ENROLMENT = {"sex": "female", "birth_date": "1970-05-01", "diagnosis": "dermatomyositis"}


def _written(clinic: WebClinic) -> tuple[int, int]:
    with clinic.app.transaction() as session:
        patients = session.exec(select(func.count()).select_from(PatientRow)).one()
        events = session.exec(select(func.count()).select_from(AuditEventRow)).one()
    return int(patients), int(events)


def _problem(answer, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body: dict = answer.json()
    assert body["status"] == status and body["detail"]
    return body


@pytest.mark.parametrize(
    ("look_alike", "rule"),
    [
        ("P-0\u041e1", "found CYRILLIC CAPITAL LETTER O (U+041E) at position 4"),
        ("P-001 ", "no space at the start or end"),
        ("P\u2010001", "found HYPHEN (U+2010) at position 2"),
        ("P-\u200b001", "found ZERO WIDTH SPACE (U+200B) at position 3"),
        ("PAT-\u202e1000-TED", "found RIGHT-TO-LEFT OVERRIDE (U+202E) at position 5"),
    ],
    ids=["cyrillic", "trailing-space", "unicode-hyphen", "zero-width-space", "rtl-override"],
)
def test_a_look_alike_id_is_a_problem_naming_the_rule_and_nothing_is_written(
    clinic: WebClinic, look_alike: str, rule: str
) -> None:
    before = _written(clinic)

    answer = clinic.client("clinician").post("/api/patients", json={"id": look_alike, **ENROLMENT})

    body = _problem(answer, 422)
    assert body["field"] == "id"
    assert rule in body["detail"]
    assert "ASCII letters A-Z and a-z, digits 0-9, '.', '_' and '-'" in body["allowed"]
    assert _written(clinic) == before


def test_an_enrolled_id_in_lower_case_is_a_conflict_naming_the_id_as_enrolled(
    clinic: WebClinic,
) -> None:
    before = _written(clinic)

    answer = clinic.client("clinician").post("/api/patients", json={"id": "p-001", **ENROLMENT})

    body = _problem(answer, 409)
    assert body["field"] == "id"
    assert "'p-001' is already enrolled as 'P-001'" in body["detail"]
    assert _written(clinic) == before


@pytest.fixture
def any_script_clinic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[WebClinic]:
    """A clinic whose pattern allows letters of any script (ILDPATH_PATIENT_ID_PATTERN)."""
    monkeypatch.setenv("ILDPATH_PATIENT_ID_PATTERN", r"[\w.-]+")
    with web_clinic(f"sqlite:///{tmp_path}/clinic.db", TODAY, dashboard=False) as served:
        yield served


def test_an_id_latin_1_cannot_spell_is_enrolled_once_at_an_encoded_location(
    any_script_clinic: WebClinic,
) -> None:
    api = any_script_clinic.client("clinician")
    body = {"id": "\u0414\u041c-0001", **ENROLMENT}  # Cyrillic DM-0001, allowed here

    created = api.post("/api/patients", json=body)

    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/api/patients/%D0%94%D0%9C-0001"
    assert created.json()["id"] == "\u0414\u041c-0001"
    shown = api.get(created.headers["location"])
    assert shown.status_code == 200 and shown.json()["id"] == "\u0414\u041c-0001"
    again = api.post("/api/patients", json=body)
    assert _problem(again, 409)["field"] == "id"
    lower = api.post("/api/patients", json={**body, "id": "\u0434\u043c-0001"})
    assert "already enrolled as '\u0414\u041c-0001'" in _problem(lower, 409)["detail"]
    assert _written(any_script_clinic)[0] == 1


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("GET", "/api/reports/cohort?from=2026-01-01&to=9999-12-31", None, "query.to"),
        ("GET", "/api/reports/cohort?from=0001-01-01", None, "query.from"),
        ("GET", "/api/patients/P-001?as_of=9999-12-31", None, "query.as_of"),
        ("GET", "/api/patients/P-001/report?as_of=9999-12-31", None, "query.as_of"),
        ("GET", "/api/tasks?from=9999-12-25", None, "query.from"),
        ("GET", "/api/tasks?to=9999-12-31", None, "query.to"),
        ("GET", "/api/alerts?raised_from=0001-01-01", None, "query.raised_from"),
        (
            "POST",
            "/api/patients/P-001/observations",
            {"kind": "pft", "fvc_pct": 70, "on": "9999-12-31"},
            "on",
        ),
        (
            "POST",
            "/api/patients",
            {**ENROLMENT, "id": "P-9", "birth_date": "0001-01-01"},
            "birth_date",
        ),
        ("POST", "/api/tasks/{task}/reschedule", {"due": "9999-12-31", "reason": "x"}, "due"),
    ],
)
def test_a_date_far_outside_the_range_is_a_problem_naming_the_field_and_the_range(
    clinic: WebClinic, method: str, path: str, body: dict | None, field: str
) -> None:
    api = clinic.client("clinician")
    task = api.get("/api/tasks", params={"patient": "P-001"}).json()["tasks"][0]["id"]
    before = _written(clinic)

    answer = api.request(method, path.format(task=task), json=body)

    problem = _problem(answer, 422)
    assert problem["field"] == field
    assert RANGE in problem["detail"]
    assert _written(clinic) == before


def test_a_report_over_the_whole_range_is_made(clinic: WebClinic) -> None:
    answer = clinic.client("clinician").get(
        "/api/reports/cohort", params={"from": "1900-01-01", "to": "2200-12-31", "format": "json"}
    )

    assert answer.status_code == 200, answer.text
    assert '"1900-01-01"' in answer.text and '"2200-12-31"' in answer.text
