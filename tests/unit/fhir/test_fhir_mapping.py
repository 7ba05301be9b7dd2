"""The FHIR mapping tables and readers, without a database: what each code, name, unit,
dose and date reads as, and what is refused rather than guessed."""

from datetime import date, datetime, timedelta, timezone

import pytest
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.dosage import Dosage

from ildpath.fhir.codes import (
    LOW_FLOW_MAX_L_PER_MIN,
    RXNORM,
    RXNORM_AGENTS,
    normalise_name,
    oxygen_requirement,
)
from ildpath.fhir.medications import daily_dose, dose_fields, resolve_agent
from ildpath.fhir.values import Skip, clinical_day
from pathway.catalogue import AGENT_CLASS


@pytest.mark.parametrize(
    ("flow", "requirement"),
    [(0, "none"), (0.5, "low_flow"), (LOW_FLOW_MAX_L_PER_MIN, "low_flow"), (6.5, "high_flow")],
)
def test_oxygen_flow_reads_as_a_requirement_by_the_chosen_thresholds(flow, requirement):
    assert oxygen_requirement(flow) == requirement


def test_every_rxnorm_code_names_a_catalogue_agent():
    assert set(RXNORM_AGENTS.values()) <= set(AGENT_CLASS)


def test_names_are_spelled_as_the_catalogue_spells_them():
    assert normalise_name(" Mycophenolate  Mofetil ") == "mycophenolate_mofetil"
    assert normalise_name("Zoledronic-acid") == "zoledronic_acid"


def _concept(**fields) -> CodeableConcept:
    return CodeableConcept.model_validate(fields)


def test_agent_by_rxnorm_ingredient_or_exact_name():
    by_code = _concept(coding=[{"system": RXNORM, "code": "42316"}])
    by_name = _concept(text="Rituximab")
    alias = _concept(text="Ciclosporin")
    assert resolve_agent(by_code) == "tacrolimus"
    assert resolve_agent(by_name) == "rituximab"
    assert resolve_agent(alias) == "cyclosporine"


def test_a_near_name_is_unknown_never_guessed():
    with pytest.raises(Skip) as skipped:
        resolve_agent(_concept(text="Tacrolimus 1 mg capsule"))
    assert skipped.value.status == "unknown_code"
    with pytest.raises(Skip):
        resolve_agent(_concept(text="mycophenolate"))


def test_a_code_and_a_name_naming_two_agents_is_invalid():
    both = _concept(coding=[{"system": RXNORM, "code": "42316"}], text="cyclosporine")
    with pytest.raises(Skip) as skipped:
        resolve_agent(both)
    assert skipped.value.status == "invalid"


def _dosage(**fields) -> Dosage:
    return Dosage.model_validate(fields)


def test_daily_dose_from_a_rate_or_a_dose_and_timing():
    mg = {"system": "http://unitsofmeasure.org"}
    rate = _dosage(doseAndRate=[{"rateQuantity": {"value": 40, "code": "mg/d", **mg}}])
    twice = _dosage(
        timing={"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}},
        doseAndRate=[{"doseQuantity": {"value": 0.5, "code": "g", **mg}}],
    )
    weekly = _dosage(
        timing={"repeat": {"frequency": 1, "period": 1, "periodUnit": "wk"}},
        doseAndRate=[{"doseQuantity": {"value": 14, "code": "mg", **mg}}],
    )
    assert daily_dose(rate) == 40
    assert daily_dose(twice) == 1000
    assert daily_dose(weekly) == 2
    assert daily_dose(_dosage(text="as directed")) is None


def test_a_dose_once_per_a_schedule_of_the_engine_is_read_as_written():
    """§11 Doses: a weekly methotrexate or a 4-weekly cyclophosphamide per m² keeps its unit and
    schedule; a dose several times a day is summed to a dose every day, in its unit."""
    ucum = {"system": "http://unitsofmeasure.org"}
    weekly = _dosage(
        timing={"repeat": {"frequency": 1, "period": 1, "periodUnit": "wk"}},
        doseAndRate=[{"doseQuantity": {"value": 15, "code": "mg", **ucum}}],
    )
    four_weekly = _dosage(
        timing={"repeat": {"period": 28, "periodUnit": "d"}},
        doseAndRate=[{"doseQuantity": {"value": 750, "code": "mg/m2", **ucum}}],
    )
    twice = _dosage(
        timing={"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}},
        doseAndRate=[{"doseQuantity": {"value": 0.5, "code": "g", **ucum}}],
    )
    assert dose_fields(weekly) == {"dose": 15, "unit": "mg", "every": "week"}
    assert dose_fields(four_weekly) == {"dose": 750, "unit": "mg/m2", "every": "4_weeks"}
    assert dose_fields(twice) == {"dose": 1.0, "unit": "g", "every": "day"}
    assert dose_fields(_dosage(text="as directed")) == {}


def test_a_clinical_day_is_the_day_in_the_clinic_time_zone_and_must_be_full():
    late_evening = datetime(2026, 9, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert clinical_day(late_evening, "effective", "UTC") == date(2026, 9, 2)
    assert clinical_day(late_evening, "effective", "America/Chicago") == date(2026, 9, 1)
    with pytest.raises(Skip) as skipped:
        clinical_day("2026-09", "effective", "UTC")
    assert "not a full date" in skipped.value.reason
