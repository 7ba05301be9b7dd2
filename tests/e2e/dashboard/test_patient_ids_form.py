"""Issue 22 on the dashboard, in a real Chromium: a look-alike id typed into the enrolment
form is refused beside the Patient id field naming the rule it breaks, what was typed kept,
nothing written; an enrolled id in lower case is refused naming the id as enrolled; a date far
outside the accepted range is a form error naming the range, in the enrolment form and in
the worklist's filter."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from persistence.tables import PatientRow
from tests.web import WebClinic, web_clinic

from .browsing import Shots, sign_in
from .clinic import STABLE, TODAY

RANGE = "allowed: a date from 1900-01-01 to 2200-12-31"
LOOK_ALIKES = (
    ("P-1\u041e", "found CYRILLIC CAPITAL LETTER O (U+041E) at position 4"),
    ("NEW-01 ", "no space at the start or end (found SPACE (U+0020) at position 7)"),
    ("NEW\u201001", "found HYPHEN (U+2010) at position 4"),
    ("NEW-\u200b01", "found ZERO WIDTH SPACE (U+200B) at position 5"),
    ("PAT-\u202e1000-TED", "found RIGHT-TO-LEFT OVERRIDE (U+202E) at position 5"),
)


def _patient_ids(clinic: WebClinic) -> list[str]:
    with clinic.app.transaction() as session:
        return sorted(session.exec(select(PatientRow.external_id)).all())


def _enrol(page: Page, patient_id: str, birth_date: str = "1968-04-12") -> int:
    """The form filled and sent; the answer's status."""
    form = page.locator("form.enrol-form")
    form.get_by_label("Patient id").fill(patient_id)
    form.get_by_label("Sex").select_option("female")
    form.get_by_label("Birth date").fill(birth_date)
    form.get_by_label("Diagnosis").select_option("polymyositis")
    with page.expect_response(lambda r: r.url.endswith("/patients/new")) as posted:
        form.get_by_role("button", name="Enrol the patient").click()
    return posted.value.status


def test_look_alike_ids_are_refused_beside_the_field_naming_the_rule(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    before = _patient_ids(clinic)
    sign_in(page, clinic, "coordinator", "/patients/new")

    for look_alike, rule in LOOK_ALIKES:
        assert _enrol(page, look_alike) == 422, look_alike

        error = page.locator("#enrol-error")
        expect(error).to_contain_text(f"Patient id (id): {look_alike!r} is not allowed")
        expect(error).to_contain_text(rule)
        expect(error).to_contain_text("ASCII letters A-Z and a-z, digits 0-9")
        field = page.get_by_label("Patient id")
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_value(look_alike)
    shots(page, "look-alike-id")

    assert _patient_ids(clinic) == before


def test_an_enrolled_id_in_lower_case_is_refused_naming_the_id_as_enrolled(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    before = _patient_ids(clinic)
    sign_in(page, clinic, "coordinator", "/patients/new")

    assert _enrol(page, STABLE.lower()) == 409

    expect(page.locator("#enrol-error")).to_contain_text(
        f"Patient id (id): {STABLE.lower()!r} is already enrolled as {STABLE!r}"
    )
    expect(page.get_by_label("Patient id")).to_have_attribute("aria-invalid", "true")
    shots(page, "lower-case-duplicate")
    assert _patient_ids(clinic) == before


def test_a_far_birth_date_is_a_form_error_naming_the_range(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    before = _patient_ids(clinic)
    sign_in(page, clinic, "coordinator", "/patients/new")

    assert _enrol(page, "NEW-02", birth_date="0001-01-01") == 422

    expect(page.locator("#enrol-error")).to_contain_text(
        f"Birth date (birth_date): '0001-01-01' is not allowed; {RANGE}"
    )
    assert _patient_ids(clinic) == before


def test_a_far_date_in_the_worklist_filter_is_named_above_the_list(
    page: Page, clinic: WebClinic, shots: Shots
) -> None:
    sign_in(page, clinic, "coordinator")

    answer = page.goto(f"{clinic.url}/tasks?from=9999-12-25")

    assert answer is not None and answer.status == 422
    expect(page.get_by_role("alert")).to_contain_text(f"'9999-12-25' is not allowed; {RANGE}")
    shots(page, "worklist-far-date")


@pytest.fixture
def any_script_clinic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[WebClinic]:
    """A clinic whose pattern allows letters of any script (ILDPATH_PATIENT_ID_PATTERN)."""
    monkeypatch.setenv("ILDPATH_PATIENT_ID_PATTERN", r"[\w.-]+")
    with web_clinic(f"sqlite:///{tmp_path}/clinic.db", TODAY) as served:
        yield served


def test_an_id_typed_with_a_combining_accent_is_enrolled_composed_and_its_page_opens(
    page: Page, any_script_clinic: WebClinic, shots: Shots
) -> None:
    sign_in(page, any_script_clinic, "coordinator", "/patients/new")

    assert _enrol(page, "Ame\u0301lie-01") == 303

    expect(page).to_have_url(re.compile(r"/patients/Am%C3%A9lie-01\?done=enrolled.*#status$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Patient Am\u00e9lie-01")
    shots(page, "composed-id")
    assert _patient_ids(any_script_clinic) == ["Am\u00e9lie-01"]
