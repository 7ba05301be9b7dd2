"""The dashboard's enrolment and amendment forms: every field of an enrolment is on the form,
the coded fields offer exactly the pathway catalogue's values, and a refusal names the field
as the form labels it while saying what the CLI says."""

from dataclasses import fields
from datetime import date

import pytest

from ildpath.usecases.enrolment import PHENOTYPE_FIELDS, EnrolPatient, check_enrolment
from ildpath.web.enrol_form import SHOWN
from ildpath.web.phenotype_fields import FIELDS, OPTIONS, amend_view
from ildpath.web.refusals import Refusal, refusal
from pathway.catalogue import PHENOTYPE_FLAGS
from pathway.errors import InvalidValue
from pathway.labels import field_label
from pathway.patient_identifier import PatientIdRule
from pathway.validation import CHOICES

TODAY = date(2026, 11, 2)


def _enrolment(**overrides: object) -> EnrolPatient:
    values: dict[str, object] = {
        "id": "WEB-04",
        "sex": "female",
        "birth_date": date(1968, 4, 12),
        "enrolled_on": TODAY,
        "diagnosis": "dermatomyositis",
        "anti_mda5": "negative",
        "anti_ars": "unknown",
        "ild_course": None,
    }
    return EnrolPatient(**(values | overrides))  # type: ignore[arg-type]


def test_every_field_of_an_enrolment_is_on_the_form_with_a_label() -> None:
    assert set(SHOWN) == {f.name for f in fields(EnrolPatient)}
    assert all(FIELDS[name].label for name in SHOWN)


@pytest.mark.parametrize("name", ["sex", "diagnosis", "anti_mda5", "anti_ars", "ild_course"])
def test_a_coded_field_offers_the_catalogues_values_in_its_order(name: str) -> None:
    assert [code for code, _ in OPTIONS[name]] == list(CHOICES[name])


def test_the_risk_factors_offered_are_the_catalogues_phenotype_flags() -> None:
    assert [code for code, _ in OPTIONS["risk_factors"]] == list(PHENOTYPE_FLAGS)


def test_a_birth_date_in_the_future_is_refused_naming_the_field_as_labelled() -> None:
    with pytest.raises(InvalidValue) as refused:
        check_enrolment(_enrolment(birth_date=date(2027, 1, 15)), TODAY, PatientIdRule())
    assert refusal(refused.value) == Refusal(
        422,
        "Birth date (birth_date): '2027-01-15' is not allowed; allowed: a date in the past.",
        "birth_date",
    )


def test_a_height_out_of_range_names_the_height_with_its_unit() -> None:
    with pytest.raises(InvalidValue) as refused:
        check_enrolment(_enrolment(height_cm=300.0), TODAY, PatientIdRule())
    assert refusal(refused.value).message.startswith("Height (cm) (height_cm): 300.0 is not")


def test_every_form_label_is_the_catalogues_so_refusals_name_it_the_same() -> None:
    assert {n: f.label for n, f in FIELDS.items() if n != "on"} == {
        n: field_label(n) for n in FIELDS if n != "on"
    }


def test_the_amendment_form_is_prefilled_with_the_phenotype_as_it_stands_from_today() -> None:
    phenotype = {
        "group": "B",
        "diagnosis": "dermatomyositis",
        "anti_mda5": "negative",
        "anti_ars": "positive",
        "ild_course": None,
        "risk_factors": ["active_myositis", "osteoporosis"],
        "weight_kg": 64.5,
        "height_cm": None,
    }
    view = amend_view(phenotype, TODAY)
    assert {name: view.value(name) for name in PHENOTYPE_FIELDS} == {
        "diagnosis": "dermatomyositis",
        "anti_mda5": "negative",
        "anti_ars": "positive",
        "ild_course": "",
        "risk_factors": "active_myositis,osteoporosis",
        "weight_kg": "64.5",
        "height_cm": "",
    }
    assert view.ticked("risk_factors") == ["active_myositis", "osteoporosis"]
    assert view.value("on") == TODAY.isoformat()
    assert view.refusal is None
