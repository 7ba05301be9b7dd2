"""The phenotype read from standard resources, as Synthea and Epic write them: the
diagnosis from a Condition, antibodies from Observations, weight and height from vital signs;
what cannot be read is left for a person, never guessed."""

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.immunization import Immunization
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient

from ildpath.fhir.codes import CVX
from ildpath.fhir.events import Reading, read_immunization
from ildpath.fhir.patients import read_patient
from ildpath.fhir.phenotype import read_phenotype
from ildpath.fhir.phenotype_codes import LocalCodesError, load_local_codes
from ildpath.fhir.terminology import table
from ildpath.fhir.values import Skip

SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
VER = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
INTERP = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
READING = Reading("UTC", lambda _: None)
TODAY = date(2026, 12, 1)


def patient(**more: Any) -> Patient:
    return Patient.model_validate(
        {
            "resourceType": "Patient",
            "id": "p1",
            "meta": {
                "profile": ["http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"]
            },
            "identifier": [
                {
                    "type": {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                                "code": "MR",
                            }
                        ]
                    },
                    "system": "urn:oid:1.2.840.114350.1.13.0.1.7.5.737384.14",
                    "value": "E12345",
                }
            ],
            "gender": "female",
            "birthDate": "1970-03-04",
            **more,
        }
    )


def condition(cid: str, system: str, code: str, status: str | None = "confirmed") -> Condition:
    body: dict[str, Any] = {
        "resourceType": "Condition",
        "id": cid,
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
        "code": {"coding": [{"system": system, "code": code}], "text": "Myositis"},
        "subject": {"reference": "Patient/p1"},
        "recordedDate": "2026-10-01",
    }
    if status:
        body["verificationStatus"] = {"coding": [{"system": VER, "code": status}]}
    return Condition.model_validate(body)


def observation(
    oid: str, code: str, when: str = "2026-10-02", status: str = "final", **value: Any
) -> Observation:
    return Observation.model_validate(
        {
            "resourceType": "Observation",
            "id": oid,
            "status": status,
            "category": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                            "code": "laboratory",
                        }
                    ]
                }
            ],
            "code": {"coding": [{"system": LOINC, "code": code}]},
            "subject": {"reference": "Patient/p1"},
            "effectiveDateTime": when,
            **value,
        }
    )


def interpretation(code: str) -> dict[str, Any]:
    return {"interpretation": [{"coding": [{"system": INTERP, "code": code}]}]}


def snomed_value(code: str) -> dict[str, Any]:
    return {"valueCodeableConcept": {"coding": [{"system": SNOMED, "code": code}]}}


def test_synthea_dermatomyositis_condition_is_the_diagnosis():
    read = read_phenotype(patient(), [condition("c1", SNOMED, "396230008")], READING)
    assert read.diagnosis == "dermatomyositis"
    assert "diagnosis dermatomyositis from Condition/c1 (SNOMED CT 396230008)" in read.notes
    assert [label.id for label in read.used] == ["c1"]
    assert "ild_course" in read.missing


def test_icd10cm_m33_11_is_dermatomyositis_and_not_read_as_ild():
    read = read_phenotype(patient(), [condition("c1", ICD10CM, "M33.11")], READING)
    assert (read.diagnosis, read.ild) == ("dermatomyositis", False)


def test_an_ild_condition_sets_ild():
    related = [condition("c1", ICD10CM, "M33.20"), condition("c2", ICD10CM, "J84.170")]
    read = read_phenotype(patient(), related, READING)
    assert (read.diagnosis, read.ild) == ("polymyositis", True)


def test_two_diagnoses_give_none_naming_both():
    related = [condition("c1", SNOMED, "396230008"), condition("c2", ICD10CM, "M33.20")]
    read = read_phenotype(patient(), related, READING)
    assert read.diagnosis is None
    note = next(n for n in read.notes if "two diagnoses" in n)
    assert "dermatomyositis from Condition/c1" in note and "polymyositis from Condition/c2" in note
    assert "diagnosis" in read.missing


def test_refuted_and_entered_in_error_conditions_are_ignored():
    related = [
        condition("c1", SNOMED, "396230008", "refuted"),
        condition("c2", ICD10CM, "M33.20", "entered-in-error"),
        condition("c3", ICD10CM, "M33.13"),
    ]
    read = read_phenotype(patient(), related, READING)
    assert read.diagnosis == "clinically_amyopathic_dm"


def test_unspecified_dermatopolymyositis_is_left_for_a_person():
    read = read_phenotype(patient(), [condition("c1", ICD10CM, "M33.90")], READING)
    assert read.diagnosis is None
    assert any("without saying which" in n for n in read.notes)


def test_mda5_positive_by_interpretation():
    obs = observation("o1", "82424-3", **interpretation("POS"))
    read = read_phenotype(patient(), [obs], READING)
    assert read.anti_mda5 == "positive"
    assert read.used == (obs,)


def test_jo1_negative_by_coded_value_is_anti_ars_negative_naming_what_was_not_tested():
    obs = observation("o1", "33571-1", **snomed_value("260385009"))
    read = read_phenotype(patient(), [obs], READING)
    assert read.anti_ars == "negative"
    assert any("not tested: pl7, pl12, ej, oj" in n for n in read.notes)


def test_any_synthetase_antibody_positive_makes_anti_ars_positive():
    related = [
        observation("o1", "33571-1", valueString="Negative"),
        observation("o2", "33772-5", valueString="Detected"),
    ]
    assert read_phenotype(patient(), related, READING).anti_ars == "positive"


def test_a_registered_result_is_pending_until_final():
    pending = observation("o1", "82424-3", status="registered")
    assert read_phenotype(patient(), [pending], READING).anti_mda5 == "pending"
    final = observation("o2", "82424-3", when="2026-10-05", valueBoolean=True)
    assert read_phenotype(patient(), [pending, final], READING).anti_mda5 == "positive"


def test_a_later_final_result_wins_and_entered_in_error_is_ignored():
    related = [
        observation("o1", "82424-3", when="2026-09-01", **snomed_value("10828004")),
        observation("o2", "82424-3", when="2026-10-01", **snomed_value("260385009")),
        observation(
            "o3", "82424-3", when="2026-11-01", status="entered-in-error", valueBoolean=True
        ),
    ]
    assert read_phenotype(patient(), related, READING).anti_mda5 == "negative"


def test_a_value_and_interpretation_that_disagree_are_not_read():
    obs = observation("o1", "82424-3", valueString="Positive", **interpretation("NEG"))
    read = read_phenotype(patient(), [obs], READING)
    assert read.anti_mda5 == "unknown"
    assert any("disagree" in n for n in read.notes)


def test_a_number_alone_is_not_read_as_a_result():
    obs = observation(
        "o1",
        "33571-1",
        valueQuantity={"value": 55, "unit": "AU/mL", "system": UCUM, "code": "[arb'U]/mL"},
    )
    assert read_phenotype(patient(), [obs], READING).anti_ars == "unknown"


@pytest.mark.parametrize(
    ("quantity", "kg"),
    [
        ({"value": 70.5, "unit": "kg", "system": UCUM, "code": "kg"}, 70.5),
        ({"value": 154, "unit": "lb", "system": UCUM, "code": "[lb_av]"}, 69.9),
    ],
)
def test_weight_in_kg_and_pounds(quantity, kg):
    read = read_phenotype(
        patient(), [observation("w1", "29463-7", valueQuantity=quantity)], READING
    )
    assert read.weight_kg == kg


def test_the_latest_weight_and_height_are_read():
    related = [
        observation(
            "w1",
            "29463-7",
            when="2026-01-01",
            valueQuantity={"value": 80, "system": UCUM, "code": "kg"},
        ),
        observation(
            "w2",
            "29463-7",
            when="2026-10-01",
            valueQuantity={"value": 72, "system": UCUM, "code": "kg"},
        ),
        observation("h1", "8302-2", valueQuantity={"value": 1.65, "system": UCUM, "code": "m"}),
    ]
    read = read_phenotype(patient(), related, READING)
    assert (read.weight_kg, read.height_cm) == (72, 165)


def test_read_patient_from_resources_keeps_the_course_unknown_and_the_identifiers():
    related = [
        condition("c1", SNOMED, "396230008"),
        observation("o1", "82424-3", **interpretation("POS")),
        observation("w1", "29463-7", valueQuantity={"value": 61, "system": UCUM, "code": "kg"}),
    ]
    read = read_patient(patient(), related, READING, TODAY)
    enrol = read.enrol
    assert (enrol.id, enrol.diagnosis, enrol.anti_mda5, enrol.ild_course) == (
        "p1",
        "dermatomyositis",
        "positive",
        None,
    )
    assert (enrol.weight_kg, enrol.enrolled_on) == (61, TODAY)
    assert set(read.missing) == {"ild_course", "anti_ars", "height_cm"}
    assert read.identifiers == [("urn:oid:1.2.840.114350.1.13.0.1.7.5.737384.14", "E12345", "MR")]
    assert len(read.used) == 3


def test_ildpath_extensions_win_over_resources():
    url = "https://ildpath.example/fhir/StructureDefinition/"
    own = patient(
        extension=[
            {"url": url + "myositis-diagnosis", "valueCode": "polymyositis"},
            {"url": url + "ild-course", "valueCode": "progressive"},
        ]
    )
    read = read_patient(own, [condition("c1", SNOMED, "396230008")], READING, TODAY)
    assert (read.enrol.diagnosis, read.enrol.ild_course) == ("polymyositis", "progressive")
    assert any("wins over dermatomyositis" in n for n in read.notes)
    assert "ild_course" not in read.missing


def test_a_patient_without_a_diagnosis_is_not_importable_naming_the_codes():
    with pytest.raises(Skip) as skipped:
        read_patient(patient(), [], READING, TODAY)
    assert skipped.value.status == "not_imported"
    assert "396230008" in skipped.value.reason and "M33.11" in skipped.value.reason


@pytest.mark.parametrize("row", table("cvx"), ids=lambda row: row["code"])
def test_every_cvx_code_in_the_table_reads(row):
    immunization = Immunization.model_validate(
        {
            "resourceType": "Immunization",
            "status": "completed",
            "vaccineCode": {"coding": [{"system": CVX, "code": row["code"]}]},
            "patient": {"reference": "Patient/p1"},
            "occurrenceDateTime": "2025-10-01",
        }
    )
    (event,) = read_immunization(immunization, READING)
    assert (event.action, event.kind) == ("vaccination", row["vaccine"])


def test_a_live_influenza_vaccine_is_not_read_as_the_vaccination():
    immunization = Immunization.model_validate(
        {
            "resourceType": "Immunization",
            "status": "completed",
            "vaccineCode": {"coding": [{"system": CVX, "code": "149"}]},
            "patient": {"reference": "Patient/p1"},
            "occurrenceDateTime": "2025-10-01",
        }
    )
    with pytest.raises(Skip) as skipped:
        read_immunization(immunization, READING)
    assert skipped.value.status == "unknown_code"


def test_a_local_code_map_reads_a_laboratory_code(tmp_path: Path):
    path = tmp_path / "local.csv"
    path.write_text(
        "# our lab\nsystem,code,meaning\nurn:lab:acme,MDA5-ELISA,anti_mda5\n"
        "urn:dx:acme,ASS,antisynthetase_syndrome\n",
        encoding="utf-8",
    )
    reading = Reading("UTC", lambda _: None, local_codes=load_local_codes(path))
    obs = Observation.model_validate(
        {
            "resourceType": "Observation",
            "id": "o1",
            "status": "final",
            "code": {"coding": [{"system": "urn:lab:acme", "code": "MDA5-ELISA"}]},
            "effectiveDateTime": "2026-10-02",
            **interpretation("POS"),
        }
    )
    read = read_phenotype(patient(), [obs, condition("c1", "urn:dx:acme", "ASS")], reading)
    assert (read.anti_mda5, read.diagnosis) == ("positive", "antisynthetase_syndrome")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("system,code,meaning\nurn:x,1,anti_jo1\n", "line 2: meaning 'anti_jo1'"),
        ("system,code,meaning\nurn:x,1\n", "line 2: expected system,code,meaning"),
        ("system,code,meaning\nhttp://loinc.org,82424-3,anti_ars\n", "already means 'anti_mda5'"),
        ("code,meaning\n", "line 1: header"),
    ],
)
def test_a_bad_local_code_row_names_the_file_and_line(tmp_path: Path, text, says):
    path = tmp_path / "local.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LocalCodesError) as refused:
        load_local_codes(path)
    assert str(path) in str(refused.value) and says in str(refused.value)
