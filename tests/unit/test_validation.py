"""What a person enters is checked before anything is written (§11): ranges inclusive at both
ends, known vocabulary, plausible dates; every refusal names the field and what is allowed."""

import math
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pathway.errors import InvalidValue
from pathway.validation import (
    check_choice,
    check_clinical_date,
    check_flags,
    check_range,
    years_before,
)

BOUNDED = {
    "fvc_pct": (10, 200),
    "dlco_pct": (5, 200),
    "fvc_l": (0.2, 10),
    "weight_kg": (20, 300),
}
AT_LEAST = {"dose_mg_per_day": 0}
OBSERVED = {
    # revision 2, §11: a CMV load in either unit up to 10^9, the new observations' ranges
    "iu_per_ml": (0, 1e9, "0 to 1,000,000,000 (IU/mL)"),
    "copies_per_ml": (0, 1e9, "0 to 1,000,000,000 (copies/mL)"),
    "ferritin": (0, 1_000_000, "0 to 1,000,000 (ng/mL)"),
    "ck": (0, 1_000_000, "0 to 1,000,000 (U/L)"),
    "kl6": (0, 50_000, "0 to 50,000 (U/mL)"),
    "crp": (0, 1000, "0 to 1000 (mg/L)"),
    "spo2": (50, 100, "50 to 100 (%)"),
    "metres": (0, 1000, "0 to 1000 (m)"),
    "nadir_spo2": (50, 100, "50 to 100 (%)"),
}


# -- ranges --------------------------------------------------------------------------------------


def outside(low: float, high: float) -> st.SearchStrategy[float]:
    """Any finite or infinite number below ``low`` or above ``high``."""
    return st.floats(max_value=low, exclude_max=True, allow_nan=False) | st.floats(
        min_value=high, exclude_min=True, allow_nan=False
    )


@pytest.mark.parametrize(("field", "bounds"), BOUNDED.items())
@given(data=st.data())
def test_values_within_a_bounded_range_are_accepted(field, bounds, data):
    low, high = bounds
    value = data.draw(st.floats(min_value=low, max_value=high))

    assert check_range(field, value) == float(value)


@pytest.mark.parametrize(("field", "bounds"), BOUNDED.items())
@given(data=st.data())
def test_values_outside_a_bounded_range_are_refused_naming_field_and_range(field, bounds, data):
    low, high = bounds
    value = data.draw(outside(low, high))

    with pytest.raises(InvalidValue) as refused:
        check_range(field, value)

    assert refused.value.field == field
    assert f"from {low:g} to {high:g}" in str(refused.value)


@pytest.mark.parametrize(("field", "bounds"), BOUNDED.items())
def test_both_ends_of_a_bounded_range_are_accepted(field, bounds):
    low, high = bounds

    assert (check_range(field, low), check_range(field, high)) == (low, high)


@pytest.mark.parametrize(("field", "low"), AT_LEAST.items())
@given(data=st.data())
def test_finite_cmv_load_and_dose_of_zero_or_more_are_accepted(field, low, data):
    value = data.draw(
        st.floats(min_value=low, allow_nan=False, allow_infinity=False) | st.integers(min_value=low)
    )

    assert check_range(field, value) == float(value)


@pytest.mark.parametrize(("field", "low"), AT_LEAST.items())
@given(data=st.data())
def test_negative_cmv_load_or_dose_is_refused_naming_the_field(field, low, data):
    value = data.draw(st.floats(max_value=low, exclude_max=True, allow_nan=False))

    with pytest.raises(InvalidValue) as refused:
        check_range(field, value)

    assert refused.value.field == field
    assert "from 0 upwards" in str(refused.value)


@pytest.mark.parametrize(("field", "bounds"), OBSERVED.items())
@given(data=st.data())
def test_observed_values_within_their_range_are_accepted_both_ends_included(field, bounds, data):
    low, high, _ = bounds
    value = data.draw(st.floats(min_value=low, max_value=high) | st.sampled_from([low, high]))

    assert check_range(field, value) == float(value)


@pytest.mark.parametrize(("field", "bounds"), OBSERVED.items())
@given(data=st.data())
def test_observed_values_outside_their_range_are_refused_naming_range_and_unit(field, bounds, data):
    low, high, said = bounds
    value = data.draw(outside(low, high))

    with pytest.raises(InvalidValue) as refused:
        check_range(field, value)

    assert refused.value.field == field
    assert f"from {said}" in str(refused.value)


@pytest.mark.parametrize("field", OBSERVED)
@pytest.mark.parametrize("value", ["80", True, False, None, math.nan, math.inf])
def test_an_observed_value_that_is_text_a_boolean_or_not_finite_is_refused(field, value):
    with pytest.raises(InvalidValue) as refused:
        check_range(field, value)

    assert refused.value.field == field


@pytest.mark.parametrize("value", ["80", None, True])
def test_a_value_that_is_not_a_number_is_refused(value):
    with pytest.raises(InvalidValue):
        check_range("fvc_pct", value)


@pytest.mark.parametrize("field", [*BOUNDED, *AT_LEAST])
@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_number_is_refused(field, value):
    with pytest.raises(InvalidValue):
        check_range(field, value)


# -- vocabulary ----------------------------------------------------------------------------------


def test_unknown_agent_is_refused_listing_the_known_agents():
    with pytest.raises(InvalidValue) as refused:
        check_choice("agent", "aspirin")

    message = str(refused.value)
    assert refused.value.field == "agent"
    assert "'aspirin'" in message
    assert all(a in message for a in ("prednisone", "tacrolimus", "rituximab", "nintedanib"))


@pytest.mark.parametrize(
    ("field", "value", "listed"),
    [
        ("procedure", "bronchoscopy", "plasma_exchange, pulmonary_rehabilitation"),
        ("vaccination", "zoster", "influenza, pneumococcal, covid19"),
        ("oxygen", "cpap", "none, low_flow, high_flow, mechanical_ventilation, ecmo"),
        ("anti_mda5", "weak_positive", "positive, negative, pending, unknown"),
        ("ild_course", "stable", "non_progressive, progressive, rapidly_progressive"),
    ],
)
def test_unknown_vocabulary_is_refused_listing_the_allowed_values(field, value, listed):
    with pytest.raises(InvalidValue) as refused:
        check_choice(field, value)

    assert refused.value.field == field
    assert listed in str(refused.value)


def test_known_agent_is_accepted():
    assert check_choice("agent", "tacrolimus") == "tacrolimus"


def test_unknown_phenotype_flag_is_refused():
    with pytest.raises(InvalidValue):
        check_flags(["smoker"])


# -- dates ---------------------------------------------------------------------------------------

BIRTH = date(1960, 5, 1)
ENROLLED = date(2026, 3, 2)
TODAY = date(2026, 3, 20)


def check(on, *, prior_years=None, birth=BIRTH, enrolled=ENROLLED):
    return check_clinical_date(
        "on",
        on,
        recorded_on=TODAY,
        birth_date=birth,
        enrolled_on=enrolled,
        prior_history_years=prior_years,
    )


def test_clinical_date_on_the_recorded_date_is_accepted():
    assert check(TODAY) == TODAY


def test_clinical_date_after_the_recorded_date_is_refused():
    with pytest.raises(InvalidValue) as refused:
        check(TODAY + timedelta(days=1))

    assert refused.value.field == "on"
    assert "2026-03-20" in str(refused.value)


def test_clinical_date_on_enrolment_is_accepted():
    assert check(ENROLLED) == ENROLLED


def test_event_before_enrolment_is_refused():
    with pytest.raises(InvalidValue) as refused:
        check(ENROLLED - timedelta(days=1))

    assert "on or after enrolment" in str(refused.value)


def test_prior_history_five_years_before_enrolment_is_accepted():
    on = ENROLLED.replace(year=ENROLLED.year - 5)

    assert check(on, prior_years=5) == on


def test_prior_history_a_day_more_than_five_years_before_enrolment_is_refused():
    on = ENROLLED.replace(year=ENROLLED.year - 5) - timedelta(days=1)

    with pytest.raises(InvalidValue) as refused:
        check(on, prior_years=5)

    assert "up to 5 years before enrolment (prior history)" in str(refused.value)
    assert ENROLLED.replace(year=ENROLLED.year - 5).isoformat() in str(refused.value)


def test_prior_history_years_count_from_29_february_to_the_28th():
    assert years_before(date(2028, 2, 29), 5) == date(2023, 2, 28)
    assert years_before(date(2028, 2, 29), 4) == date(2024, 2, 29)


def test_clinical_date_before_birth_is_refused():
    birth = date(2025, 6, 1)

    with pytest.raises(InvalidValue) as refused:
        check(birth - timedelta(days=1), prior_years=5, birth=birth)

    assert "birth" in str(refused.value)
