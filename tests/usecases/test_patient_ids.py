"""Look-alike patients (issue 22): an id that only looks like an enrolled one is refused at
enrolment, naming the rule it breaks, and nothing is written; ids are unique whatever the
case; a clinic's own pattern widens the characters, never the other checks."""

from datetime import date

import pytest

from ildpath.bootstrap import App, memory_app
from ildpath.clock import SimulatedClock
from ildpath.errors import DuplicatePatient
from ildpath.settings import Settings
from ildpath.usecases import patient_summary
from pathway.errors import InvalidValue

from .conftest import enrol, everything

LOOK_ALIKES = {
    "cyrillic E": "D\u0415MO-0001",
    "trailing space": "DEMO-0001 ",
    "unicode hyphen": "DEMO\u20100001",
    "zero-width space": "DEMO-\u200b0001",
    "right-to-left override": "PAT-\u202e1000-TED",
}


@pytest.mark.parametrize("look_alike", LOOK_ALIKES.values(), ids=LOOK_ALIKES.keys())
def test_a_look_alike_of_an_enrolled_patient_is_refused_and_nothing_is_written(
    app: App, look_alike: str
) -> None:
    enrol(app, "DEMO-0001")
    enrol(app, "PAT-DET-0001")
    before = everything(app)

    with pytest.raises(InvalidValue) as refused:
        enrol(app, look_alike)

    assert refused.value.field == "id"
    assert "ASCII letters A-Z and a-z, digits 0-9, '.', '_' and '-'" in refused.value.allowed
    assert everything(app) == before


def test_the_same_id_in_lower_case_is_refused_naming_the_id_as_enrolled(app: App) -> None:
    enrol(app, "DEMO-0001")
    before = everything(app)

    with pytest.raises(DuplicatePatient) as refused:
        enrol(app, "demo-0001")

    assert str(refused.value) == (
        "id: 'demo-0001' is already enrolled as 'DEMO-0001' (ids are the same whatever the case)"
    )
    assert everything(app) == before


def test_a_clinic_pattern_for_another_script_enrols_the_id_in_nfc_once_whatever_the_case(
    clock: SimulatedClock,
) -> None:
    app = memory_app(clock, Settings(patient_id_pattern=r"[\w.-]+"))
    decomposed = "Ame\u0301lie-\u0414-1"  # e + combining acute, as some keyboards send it

    outcome = enrol(app, decomposed)

    assert outcome.patient_id == "Am\u00e9lie-\u0414-1"
    assert patient_summary(app, "Am\u00e9lie-\u0414-1").patient.external_id == outcome.patient_id
    with pytest.raises(DuplicatePatient, match="already enrolled as 'Am\u00e9lie-\u0414-1'"):
        enrol(app, "AM\u00c9LIE-\u0434-1")
    with pytest.raises(InvalidValue, match="RIGHT-TO-LEFT OVERRIDE"):
        enrol(app, "\u0414-\u202e1")


def test_an_enrolment_date_far_outside_the_range_is_refused_naming_the_range(app: App) -> None:
    with pytest.raises(InvalidValue) as refused:
        enrol(app, birth_date=date(1, 1, 1))

    assert refused.value.field == "birth_date"
    assert refused.value.allowed == "a date from 1900-01-01 to 2200-12-31"
    assert everything(app)[0] == 0
