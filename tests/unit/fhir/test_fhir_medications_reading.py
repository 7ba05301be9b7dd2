"""MedicationStatement and MedicationRequest as hospitals send them (Synthea and Epic shapes):
what start, dose and route each reads as, and what is refused or noted rather than guessed."""

from datetime import date
from typing import Any

import pytest
from fhir.resources.R4B.medication import Medication
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.medicationstatement import MedicationStatement

from ildpath.fhir.events import Event, Reading
from ildpath.fhir.medications import read_medication_request, read_medication_statement
from ildpath.fhir.values import Skip

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
SNOMED = "http://snomed.info/sct"
SUBJECT = {"reference": "Patient/p1"}


def _reading(*medications: dict[str, Any]) -> Reading:
    """A bundle's Medication resources by reference, as the importer gives them."""
    by_reference = {
        f"Medication/{m['id']}": Medication.model_validate({"resourceType": "Medication", **m})
        for m in medications
    }
    return Reading(zone="UTC", medication=by_reference.get)


def _rxnorm(code: str, display: str, text: str | None = None) -> dict[str, Any]:
    concept: dict[str, Any] = {"coding": [{"system": RXNORM, "code": code, "display": display}]}
    if text:
        concept["text"] = text
    return concept


def _dosage(dose: dict[str, Any] | None, timing: dict[str, Any], route: Any = None) -> dict:
    dosage: dict[str, Any] = {"timing": timing}
    if dose is not None:
        dosage["doseAndRate"] = [{"doseQuantity": dose}]
    if route is not None:
        dosage["route"] = route
    return dosage


def _request(medication: dict[str, Any], dosage: dict[str, Any] | None = None) -> list[Event]:
    resource = {
        "resourceType": "MedicationRequest",
        "status": "active",
        "intent": "order",
        "subject": SUBJECT,
        "authoredOn": "2026-03-02",
        **medication,
    }
    if dosage is not None:
        resource["dosageInstruction"] = [dosage]
    return read_medication_request(MedicationRequest.model_validate(resource), _reading())


def _statement(resource: dict[str, Any], reading: Reading | None = None) -> list[Event]:
    full = {
        "resourceType": "MedicationStatement",
        "status": "active",
        "subject": SUBJECT,
        "effectiveDateTime": "2026-03-02",
        **resource,
    }
    return read_medication_statement(
        MedicationStatement.model_validate(full), reading or _reading()
    )


WEEKLY = {"repeat": {"frequency": 1, "period": 1, "periodUnit": "wk"}}
DAILY = {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}}
TWICE_A_DAY = {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}}
ORAL = {"coding": [{"system": SNOMED, "code": "26643006", "display": "Oral route"}]}


def test_six_tablets_of_methotrexate_2_5_mg_weekly_are_15_mg_every_week():
    """Synthea writes the count of tablets with UCUM {tbl}."""
    (start,) = _request(
        {"medicationCodeableConcept": _rxnorm("105585", "methotrexate 2.5 MG Oral Tablet")},
        _dosage({"value": 6, "system": UCUM, "code": "{tbl}", "unit": "TAB"}, WEEKLY, ORAL),
    )
    assert start.on == date(2026, 3, 2)
    assert start.values == {
        "agent": "methotrexate",
        "route": "oral",
        "dose": 15.0,
        "unit": "mg",
        "every": "week",
    }
    assert start.note == ""


def test_a_dose_with_no_unit_is_a_count_of_the_products_tablets():
    """Epic sends a plain number for "take 2 tablets"."""
    (start,) = _request(
        {"medicationCodeableConcept": _rxnorm("312615", "predniSONE 20 MG Oral Tablet")},
        _dosage({"value": 2}, DAILY),
    )
    assert (start.values["dose"], start.values["unit"], start.values["every"]) == (
        40.0,
        "mg",
        "day",
    )


def test_prednisone_10_mg_twice_a_day_is_20_mg_every_day():
    (start,) = _request(
        {"medicationCodeableConcept": _rxnorm("312615", "predniSONE 20 MG Oral Tablet")},
        _dosage({"value": 10, "system": UCUM, "code": "mg"}, TWICE_A_DAY),
    )
    assert (start.values["dose"], start.values["unit"], start.values["every"]) == (
        20.0,
        "mg",
        "day",
    )


def test_a_timing_code_bid_is_read_as_twice_a_day():
    timing = {
        "code": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation",
                    "code": "BID",
                }
            ]
        }
    }
    (start,) = _request(
        {
            "medicationCodeableConcept": _rxnorm(
                "200060", "mycophenolate mofetil 500 MG Oral Tablet"
            )
        },
        _dosage({"value": 2, "unit": "tablet"}, timing),
    )
    assert start.values["agent"] == "mycophenolate_mofetil"
    assert (start.values["dose"], start.values["unit"], start.values["every"]) == (
        2000.0,
        "mg",
        "day",
    )


def test_a_name_in_rxnorm_convention_is_read_when_its_code_is_not_in_the_table():
    """A local or newer code with an RxNorm display: the name gives agent and strength."""
    (start,) = _request(
        {"medicationCodeableConcept": _rxnorm("99999999", "azathioprine 25 MG Oral Tablet")},
        _dosage({"value": 3, "system": UCUM, "code": "{tbl}"}, DAILY),
    )
    assert (start.values["agent"], start.values["dose"], start.values["every"]) == (
        "azathioprine",
        75.0,
        "day",
    )


@pytest.mark.parametrize(
    ("code", "display", "agent", "dose", "every", "timing"),
    [
        # codes pinned by openFDA's NDC directory (terminology/rxnorm.csv), displays as an EHR
        # writes its own product names rather than RxNorm's
        ("1868018", "pirfenidone 801 mg tablet", "pirfenidone", 2403.0, "day", "TID"),
        ("1592279", "PIRFENIDONE 267 MG CAPSULE", "pirfenidone", 801.0, "day", "TID"),
        (
            "1367410",
            "ergocalciferol (VITAMIN D2) 1,250 mcg (50,000 unit) capsule",
            "vitamin_d",
            1.25,
            "week",
            "WEEKLY",
        ),
        ("905024", "risedronate 35 mg tablet", "risedronate", 35.0, "week", "WEEKLY"),
        (
            "308907",
            "calcium carbonate (TUMS) 500 mg chewable tablet",
            "calcium",
            500.0,
            "day",
            "DAILY",
        ),
    ],
)
def test_a_code_pinned_by_its_product_reads_the_tablet_count_whatever_the_display(
    code, display, agent, dose, every, timing
):
    """The display is the EHR's own name (not RxNorm's): the code alone gives agent and strength,
    so "1 tablet" becomes a dose in mg."""
    timings = {"TID": {"repeat": {"frequency": 3, "period": 1, "periodUnit": "d"}}}
    timings |= {"WEEKLY": WEEKLY, "DAILY": DAILY}
    (start,) = _request(
        {"medicationCodeableConcept": _rxnorm(code, display)},
        _dosage({"value": 1}, timings[timing]),
    )
    assert (start.values["agent"], start.values["dose"], start.values["unit"]) == (
        agent,
        dose,
        "mg",
    )
    assert start.values["every"] == every


@pytest.mark.parametrize(
    ("code", "display"),
    [
        ("2102463", "PANZYGA 10 GRAM/100 ML IV SOLUTION"),  # intravenous by its RxNorm name
        ("1809518", "PRIVIGEN 10 % INTRAVENOUS SOLUTION"),  # a brand licensed for the vein only
    ],
)
def test_an_ivig_order_coded_by_its_rxnorm_code_reads_as_ivig(code, display):
    (start,) = _request({"medicationCodeableConcept": _rxnorm(code, display)})
    assert start.values["agent"] == "ivig"


def test_immunoglobulin_of_a_brand_also_given_under_the_skin_is_not_read_as_ivig():
    """Gammagard Liquid is licensed into a vein and under the skin: reported, never guessed."""
    with pytest.raises(Skip) as refused:
        _request(
            {
                "medicationCodeableConcept": _rxnorm(
                    "1809666", "immunoglobulin G, human 100 MG/ML Injection [Gammagard]"
                )
            }
        )
    assert refused.value.status == "unknown_code"


def test_a_display_naming_another_ingredient_than_the_code_is_refused():
    with pytest.raises(Skip) as refused:
        _request(
            {"medicationCodeableConcept": _rxnorm("312615", "methotrexate 2.5 MG Oral Tablet")},
            _dosage({"value": 6, "system": UCUM, "code": "{tbl}"}, WEEKLY),
        )
    assert refused.value.status == "invalid"
    assert "312615" in refused.value.reason and "disagree" in refused.value.reason


def test_a_display_the_code_agrees_with_or_a_brand_display_is_accepted():
    (brand,) = _request({"medicationCodeableConcept": _rxnorm("312615", "Deltasone 20 MG")})
    (short,) = _request({"medicationCodeableConcept": _rxnorm("312615", "Prednisone 20mg tab")})
    assert brand.values["agent"] == short.values["agent"] == "prednisone"


def test_a_contained_medication_is_read_with_its_ingredient_strength():
    """Epic often contains the Medication; a local code with a Ratio strength per tablet."""
    events = _statement(
        {
            "contained": [
                {
                    "resourceType": "Medication",
                    "id": "med1",
                    "code": {
                        "coding": [
                            {"system": "urn:oid:1.2.840.114350.1.13.0.1.7.2.698288", "code": "7"}
                        ],
                        "text": "tacrolimus",
                    },
                    "ingredient": [
                        {
                            "itemCodeableConcept": {"text": "tacrolimus"},
                            "strength": {
                                "numerator": {"value": 1, "system": UCUM, "code": "mg"},
                                "denominator": {"value": 1, "system": UCUM, "code": "{cap}"},
                            },
                        }
                    ],
                }
            ],
            "medicationReference": {"reference": "#med1"},
            "dosage": [_dosage({"value": 2, "system": UCUM, "code": "{cap}"}, TWICE_A_DAY)],
        }
    )
    (start,) = events
    assert (start.values["agent"], start.values["dose"], start.values["unit"]) == (
        "tacrolimus",
        4.0,
        "mg",
    )


def test_a_contained_reference_to_nothing_is_invalid():
    with pytest.raises(Skip) as refused:
        _statement({"medicationReference": {"reference": "#missing"}})
    assert refused.value.status == "invalid"
    assert "#missing" in refused.value.reason


def test_a_referenced_medication_of_the_bundle_is_read():
    reading = _reading({"id": "pred", "code": _rxnorm("312615", "predniSONE 20 MG Oral Tablet")})
    (start,) = _statement(
        {
            "medicationReference": {"reference": "Medication/pred"},
            "dosage": [_dosage({"value": 1, "unit": "TAB"}, DAILY, {"text": "by mouth"})],
        },
        reading,
    )
    assert start.values == {
        "agent": "prednisone",
        "route": "oral",
        "dose": 20.0,
        "unit": "mg",
        "every": "day",
    }


@pytest.mark.parametrize(
    ("text", "route"),
    [
        ("Oral", "oral"),
        ("PO", "oral"),
        ("IV", "iv"),
        ("intravenous", "iv"),
        ("Subcutaneous", "sc"),
        ("inhalation", "inhaled"),
        ("Intramuscular route (qualifier value)", "im"),
    ],
)
def test_route_words_hospitals_write_are_read(text, route):
    (start,) = _request(
        {"medicationCodeableConcept": {"text": "rituximab"}},
        _dosage(None, DAILY, {"text": text}),
    )
    assert start.values["route"] == route


def test_a_route_that_cannot_be_read_is_kept_as_a_note_and_the_order_entered():
    (start,) = _request(
        {"medicationCodeableConcept": {"text": "rituximab"}},
        _dosage(None, DAILY, {"text": "via PEG tube"}),
    )
    assert start.values["route"] is None
    assert "via PEG tube" in start.note and "without a route" in start.note


def test_an_unreadable_dose_of_a_glucocorticoid_is_refused():
    """Tablets of a product whose strength is unknown (a name only) cannot give mg."""
    with pytest.raises(Skip) as refused:
        _request(
            {"medicationCodeableConcept": {"text": "prednisone"}},
            _dosage({"value": 2, "system": UCUM, "code": "{tbl}"}, DAILY),
        )
    assert refused.value.status == "invalid"
    assert "high-dose exposure" in refused.value.reason


def test_an_unreadable_dose_of_another_agent_is_entered_without_a_dose_and_a_note():
    (start,) = _request(
        {"medicationCodeableConcept": {"text": "azathioprine"}},
        _dosage({"value": 2, "system": UCUM, "code": "{tbl}"}, DAILY),
    )
    assert "dose" not in start.values
    assert "dose not read" in start.note and "strength" in start.note


def test_a_combination_tablet_count_is_not_multiplied():
    """Two tablets of sulfamethoxazole / trimethoprim have no single strength in mg."""
    (start,) = _request(
        {
            "medicationCodeableConcept": _rxnorm(
                "198335", "sulfamethoxazole 800 MG / trimethoprim 160 MG Oral Tablet"
            )
        },
        _dosage({"value": 1, "system": UCUM, "code": "{tbl}"}, DAILY),
    )
    assert start.values["agent"] == "tmp_smx"
    assert "dose" not in start.values and "dose not read" in start.note


def test_a_code_proving_only_its_agent_is_read_and_its_capsule_count_left_unread():
    """Every nintedanib label lists the codes of both strengths: 1592750 is nintedanib, but
    100 or 150 mg no record shows. The order is entered as nintedanib; one capsule is not
    turned into a guessed dose."""
    (start,) = _request(
        {"medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": "1592750"}]}},
        _dosage({"value": 1, "system": UCUM, "code": "{capsule}"}, TWICE_A_DAY),
    )
    assert start.values["agent"] == "nintedanib"
    assert "dose" not in start.values
    assert "dose not read" in start.note and "strength" in start.note


@pytest.mark.parametrize(
    ("code", "display", "agent", "dose"),
    [
        ("1592742", "nintedanib 100 MG Oral Capsule", "nintedanib", 200.0),
        ("1592750", "nintedanib 150 MG Oral Capsule [Ofev]", "nintedanib", 300.0),
        (
            "2196894",
            "24 HR upadacitinib 15 MG Extended Release Oral Tablet",
            "upadacitinib",
            30.0,
        ),
    ],
)
def test_the_strength_a_code_does_not_give_is_read_from_its_rxnorm_display(
    code, display, agent, dose
):
    """The code proves the agent, the display in RxNorm's convention the strength: one
    capsule or tablet twice a day is then a dose in mg."""
    (start,) = _request(
        {"medicationCodeableConcept": _rxnorm(code, display)},
        _dosage({"value": 1}, TWICE_A_DAY),
    )
    assert (start.values["agent"], start.values["dose"], start.values["every"]) == (
        agent,
        dose,
        "day",
    )


def test_a_code_proving_only_its_agent_still_refuses_a_display_of_another_agent():
    with pytest.raises(Skip) as refused:
        _request({"medicationCodeableConcept": _rxnorm("2196894", "tofacitinib 5 MG Oral Tablet")})
    assert refused.value.status == "invalid"
    assert "upadacitinib" in refused.value.reason and "tofacitinib" in refused.value.reason
