"""Issue 22 through a FHIR import: the Patient's id follows the one id rule of every way in
(a look-alike is an invalid entry naming the FHIR element and the rule, its resources are not
imported, nothing is written); an id enrolled with other capitals is not a new patient; a
date far outside the accepted range is an invalid entry, not an import that fails."""

from datetime import date
from pathlib import Path

import pytest

from ildpath.fhir import import_bundle
from tests.integration.apps import CLINICIAN, clinic, enrol

from .course import row_counts
from .sending import bundle, observation, patient

DAY = date(2026, 3, 2)
PATIENT_ID_SYSTEM = "https://ildpath.example/fhir/NamingSystem/patient-id"
RANGE = "a date from 1900-01-01 to 2200-12-31"


@pytest.fixture
def app(tmp_path: Path):
    with clinic(f"sqlite:///{tmp_path}/clinic.db", DAY) as (app, _):
        enrol(app, "DEMO-0001")
        yield app


def _pft(on: str) -> dict:
    return observation("pft-1", {"reference": "Patient/p1"}, "19872-1", 70, "%", on)


@pytest.mark.parametrize(
    ("look_alike", "rule"),
    [
        ("D\u0415MO-0001", "found CYRILLIC CAPITAL LETTER IE (U+0415) at position 2"),
        ("DEMO-0001 ", "no space at the start or end"),
        ("DEMO\u20100001", "found HYPHEN (U+2010) at position 5"),
        ("DEMO-\u200b0001", "found ZERO WIDTH SPACE (U+200B) at position 6"),
        ("PAT-\u202e1000-TED", "found RIGHT-TO-LEFT OVERRIDE (U+202E) at position 5"),
    ],
    ids=["cyrillic", "trailing-space", "unicode-hyphen", "zero-width-space", "rtl-override"],
)
def test_a_look_alike_patient_id_is_invalid_naming_the_element_and_the_rule(
    app, look_alike: str, rule: str
) -> None:
    sent = patient("p1")
    sent["identifier"] = [{"system": PATIENT_ID_SYSTEM, "value": look_alike}]
    before = row_counts(app)

    sending = bundle("batch", "", sent, _pft("2026-02-01"))
    first, second = import_bundle(app, sending, CLINICIAN).lines()

    assert first.status == "invalid"
    assert first.reason.startswith(f"Patient.identifier[0].value: {look_alike!r} is not allowed")
    assert rule in first.reason
    assert second.status == "not_imported"
    assert row_counts(app) == before


def test_a_patient_id_enrolled_with_other_capitals_is_not_a_new_patient(app) -> None:
    before = row_counts(app)

    [line] = import_bundle(app, bundle("batch", "", patient("demo-0001")), CLINICIAN).lines()

    assert line.status == "invalid"
    assert "patient 'demo-0001' is already enrolled as 'DEMO-0001'" in line.reason
    assert row_counts(app) == before


def test_an_observation_dated_past_the_end_of_the_calendar_is_invalid_not_a_failure(
    app,
) -> None:
    late = _pft("2026-02-01")
    del late["effectiveDateTime"]
    late["effectiveDateTime"] = "9999-12-31T23:00:00-05:00"  # the next day in UTC: year 10000

    lines = import_bundle(app, bundle("batch", "", patient("p1"), late), CLINICIAN).lines()

    assert [line.status for line in lines] == ["created", "invalid"]
    assert lines[1].reason.startswith("Observation.effective: '9999-12-31'")
    assert RANGE in lines[1].reason


@pytest.mark.parametrize(
    ("element", "value"),
    [("birthDate", "0001-01-01"), ("enrolled-on", "9999-12-31")],
)
def test_a_patient_date_far_outside_the_range_is_invalid_naming_it(
    app, element: str, value: str
) -> None:
    sent = patient("p1")
    if element == "birthDate":
        sent["birthDate"] = value
    else:
        sent["extension"][-1]["valueDate"] = value
    before = row_counts(app)

    [line] = import_bundle(app, bundle("batch", "", sent), CLINICIAN).lines()

    assert line.status == "invalid"
    assert element in line.reason and RANGE in line.reason
    assert row_counts(app) == before
