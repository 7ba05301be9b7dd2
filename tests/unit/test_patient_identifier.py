"""The one patient id rule (`pathway.patient_identifier`) and the one date range
(`pathway.date_bounds`): each look-alike of the issue is refused naming the rule it breaks
and the character at fault; ids are compared whatever the case."""

from datetime import date

import pytest

from pathway.date_bounds import bounded_day, read_day
from pathway.errors import InvalidValue
from pathway.patient_identifier import PatientIdRule, folded_id, pattern_problem

ASCII = "ASCII letters A-Z and a-z, digits 0-9, '.', '_' and '-'"


def refused(value: object, rule: PatientIdRule | None = None, field: str = "id") -> str:
    with pytest.raises(InvalidValue) as error:
        (rule or PatientIdRule()).check(value, field)
    assert error.value.field == field
    return error.value.allowed


@pytest.mark.parametrize(
    ("look_alike", "rule_broken"),
    [
        ("D\u0415MO-0001", "only (found CYRILLIC CAPITAL LETTER IE (U+0415) at position 2)"),
        ("DEMO-0001 ", "no space at the start or end (found SPACE (U+0020) at position 10)"),
        (" DEMO-0001", "no space at the start or end (found SPACE (U+0020) at position 1)"),
        ("DEMO-0001\u00a0", "no space at the start or end (found NO-BREAK SPACE"),
        ("DEMO\u20100001", "only (found HYPHEN (U+2010) at position 5)"),
        ("DEMO-\u200b0001", "format character (found ZERO WIDTH SPACE (U+200B) at position 6)"),
        ("PAT-\u202e1000-TED", "(found RIGHT-TO-LEFT OVERRIDE (U+202E) at position 5)"),
        ("DEMO\x07-0001", "control or invisible Unicode format character"),
        ("DEMO-\ud800", "no unpaired surrogate (found an unnamed character (U+D800)"),
        ("FHIR/../x", "without '/' (it names the patient in a URL)"),
        ("x" * 65, "of at most 64 characters"),
        ("", "of 1 to 64 characters"),
        ("DEMO 0001", "only (found SPACE (U+0020) at position 5)"),
    ],
)
def test_a_look_alike_id_is_refused_naming_the_rule_and_the_allowed_characters(
    look_alike: str, rule_broken: str
) -> None:
    allowed = refused(look_alike)

    assert rule_broken in allowed
    assert ASCII in allowed


def test_the_refusal_names_the_field_as_the_channel_calls_it() -> None:
    refused("D\u0415MO-0001", field="Patient.identifier[0].value")
    refused("D\u0415MO-0001", field="patients[2].id")


def test_an_id_of_the_allowed_characters_is_kept_as_typed() -> None:
    assert PatientIdRule().check("DEMO-0001") == "DEMO-0001"
    assert PatientIdRule().check("mrn_2038751.a") == "mrn_2038751.a"


def test_a_clinic_pattern_for_another_script_allows_it_and_reads_the_id_in_nfc() -> None:
    cyrillic = PatientIdRule(r"[\w.-]+")

    assert cyrillic.check("\u0414\u0415\u041c\u041e-1") == "\u0414\u0415\u041c\u041e-1"
    assert cyrillic.check("Ame\u0301lie-1") == "Am\u00e9lie-1"  # e + combining acute: one é
    allowed = refused("DEMO\u20100001", cyrillic)
    assert "characters matching [\\w.-]+ (the clinic's ILDPATH_PATIENT_ID_PATTERN)" in allowed
    assert "found HYPHEN (U+2010)" in allowed
    assert "RIGHT-TO-LEFT OVERRIDE" in refused("PAT-\u202e1000-TED", cyrillic)
    assert "no space at the start or end" in refused("\u0414-1 ", cyrillic)


def test_a_clinic_pattern_for_a_format_names_the_pattern() -> None:
    mrn = PatientIdRule(r"MRN-\d{7}")

    assert mrn.check("MRN-2038751") == "MRN-2038751"
    assert refused("MRN-12", mrn) == (
        "an id matching MRN-\\d{7} (the clinic's ILDPATH_PATIENT_ID_PATTERN)"
    )


def test_ids_are_compared_whatever_the_case_and_the_unicode_form() -> None:
    assert folded_id("DEMO-0001") == folded_id("demo-0001") == folded_id("Demo-0001")
    assert folded_id("STRASSE-1") == folded_id("stra\u00dfe-1")
    assert folded_id("Ame\u0301lie") == folded_id("AM\u00c9LIE")
    assert folded_id("DEMO-0001") != folded_id("D\u0415MO-0001")


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [("[A-Z", "not a regular expression"), ("[A-Z]*", "matches an empty id")],
)
def test_an_unusable_clinic_pattern_is_named_before_anything_runs(
    pattern: str, problem: str
) -> None:
    found = pattern_problem(pattern)
    assert found is not None and problem in found
    assert pattern_problem(r"[\w.-]+") is None


@pytest.mark.parametrize("far", [date(9999, 12, 31), date(1, 1, 1), date(1899, 12, 31)])
def test_a_date_outside_the_range_is_refused_naming_the_field_and_the_range(far: date) -> None:
    with pytest.raises(InvalidValue) as error:
        bounded_day("to", far)
    assert error.value.field == "to"
    assert error.value.allowed == "a date from 1900-01-01 to 2200-12-31"
    with pytest.raises(InvalidValue):
        read_day("to", far.isoformat())


def test_the_range_holds_its_ends_and_a_date_is_read_as_written() -> None:
    assert bounded_day("on", date(1900, 1, 1)) == date(1900, 1, 1)
    assert bounded_day("on", date(2200, 12, 31)) == date(2200, 12, 31)
    assert read_day("on", "2026-03-02") == date(2026, 3, 2)
    with pytest.raises(InvalidValue) as error:
        read_day("on", "2026-02-30")
    assert error.value.allowed == "a date YYYY-MM-DD (a date from 1900-01-01 to 2200-12-31)"
