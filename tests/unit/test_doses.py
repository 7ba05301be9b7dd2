"""Doses with a unit and a schedule (CLINICAL_SPEC §11 Doses; §9 high-dose glucocorticoid):
mg after conversion by the weight in force on the dose's date or the Mosteller body-surface
area, every 2 days halved, each agent's plausible maximum, and the units that fit."""

import math
from datetime import date

import pytest

from pathway import default_definition
from pathway.definition import PathwayDefinition
from pathway.doses import (
    NO_BODY,
    Body,
    Dose,
    body_on,
    check_dose_fits,
    check_dose_form,
    mosteller_bsa,
)
from pathway.errors import DefinitionError, InvalidValue
from pathway.exposure import Exposure
from tests.unit.builders import evaluate_on, open_task, patient

D = "2026-02-02"
DEFINITION = default_definition()


def daily_equivalent(builder, on=D) -> float | None:
    return Exposure(builder.build(), DEFINITION).prednisone_equivalent_on(date.fromisoformat(on))


def test_mosteller_body_surface_area_of_170_cm_and_70_kg_is_1_82_m2():
    assert mosteller_bsa(170, 70) == pytest.approx(math.sqrt(170 * 70 / 3600))
    assert round(mosteller_bsa(170, 70), 2) == 1.82


def test_750_mg_per_m2_at_170_cm_and_70_kg_is_1364_mg_per_pulse():
    dose = Dose(750, "mg/m2", "4_weeks")

    assert round(dose.mg(Body(70, 170))) == 1364
    assert dose.shown(dose.mg(Body(70, 170))) == "750 mg/m² every 4 weeks (1364 mg)"


def test_a_dose_in_grams_is_a_thousand_mg_and_per_kg_multiplies_the_weight():
    assert Dose(1, "g", "once").mg(NO_BODY) == 1000
    assert Dose(2, "g/kg", "month").mg(Body(60, None)) == 120_000
    assert Dose(1, "mg/kg", "day").mg(Body(70, None)) == 70


def test_a_dose_per_kg_or_per_m2_without_the_body_measure_it_needs_has_no_mg():
    assert Dose(1, "mg/kg", "day").mg(Body(None, 170)) is None
    assert Dose(750, "mg/m2", "4_weeks").mg(Body(70, None)) is None


def test_every_2_days_counts_half_the_dose_per_day_for_a_glucocorticoid():
    assert Dose(40, "mg", "2_days").daily_mg(NO_BODY) == 20
    assert Dose(40, "mg", "day").daily_mg(NO_BODY) == 40


def test_dose_mg_per_day_means_that_many_mg_every_day():
    assert Dose.mg_per_day(60) == Dose(60, "mg", "day")
    assert str(Dose.mg_per_day(60)) == "60 mg every day"


def test_methotrexate_15_mg_every_week_is_written_as_such():
    assert str(Dose(15, "mg", "week")) == "15 mg every week"


# -- §9 exposure judged on the daily prednisone-equivalent ----------------------------------


def test_prednisone_0_284_mg_per_kg_at_70_kg_is_19_88_mg_and_not_high_dose():
    builder = patient(D, weight_kg=70).start(D, "prednisone", dose=0.284, unit="mg/kg")

    assert daily_equivalent(builder) == pytest.approx(19.88)
    assert open_task(evaluate_on(builder.build(), D), "pjp_prophylaxis") is None


def test_prednisone_1_mg_per_kg_at_20_kg_is_20_mg_and_high_dose():
    builder = patient(D, weight_kg=20).start(D, "prednisone", dose=1, unit="mg/kg")

    assert daily_equivalent(builder) == 20
    assert open_task(evaluate_on(builder.build(), D), "pjp_prophylaxis") is not None


def test_prednisone_40_mg_every_2_days_is_20_mg_a_day_and_high_dose():
    builder = patient(D).start(D, "prednisone", dose=40, every="2_days")

    assert daily_equivalent(builder) == 20
    assert open_task(evaluate_on(builder.build(), D), "pjp_prophylaxis") is not None


def test_prednisone_39_mg_every_2_days_is_19_5_mg_a_day_and_not_high_dose():
    builder = patient(D).start(D, "prednisone", dose=39, every="2_days")

    assert daily_equivalent(builder) == 19.5
    assert open_task(evaluate_on(builder.build(), D), "pjp_prophylaxis") is None


def test_oral_methylprednisolone_16_mg_every_2_days_is_10_mg_of_prednisone_a_day():
    builder = patient(D).start(D, "methylprednisolone", dose=16, route="oral", every="2_days")

    assert daily_equivalent(builder) == 10


def test_the_weight_in_force_on_the_dose_date_is_used_and_a_later_weight_does_not_change_it():
    builder = (
        patient(D, weight_kg=30)
        .start("2026-02-03", "prednisone", dose=0.5, unit="mg/kg")  # 15 mg
        .amend("2026-02-10", "weight_kg", 50)
    )

    assert daily_equivalent(builder, "2026-02-20") == 15


def test_a_weight_amended_before_the_dose_date_is_the_one_in_force():
    builder = (
        patient(D, weight_kg=30)
        .amend("2026-02-03", "weight_kg", 50)
        .start("2026-02-04", "prednisone", dose=0.5, unit="mg/kg")
    )

    assert daily_equivalent(builder, "2026-02-04") == 25


def test_weekly_methotrexate_and_4_weekly_cyclophosphamide_are_active_every_day_until_stopped():
    builder = (
        patient(D, weight_kg=70)
        .amend(D, "height_cm", 170)
        .start(D, "methotrexate", dose=15, every="week")
        .start(D, "cyclophosphamide", dose=750, unit="mg/m2", every="4_weeks")
        .stop("2026-03-20", "cyclophosphamide")
    )
    exposure = Exposure(builder.build(), DEFINITION)

    assert exposure.is_active("methotrexate", date(2026, 2, 5))
    assert exposure.is_active("cyclophosphamide", date(2026, 3, 19))
    assert not exposure.is_active("cyclophosphamide", date(2026, 3, 20))
    assert round(exposure.active_on(date(2026, 2, 5))["cyclophosphamide"].mg or 0) == 1364


def test_the_height_in_force_is_read_from_the_record():
    record = patient(D).amend("2026-02-05", "height_cm", 170).build()

    assert body_on(record, date(2026, 2, 4)) == Body(70, None)
    assert body_on(record, date(2026, 2, 5)) == Body(70, 170)


# -- refusals: unit, schedule, limit -------------------------------------------------------


def test_mg_per_m2_does_not_fit_prednisone_and_the_refusal_names_the_units_that_do():
    with pytest.raises(InvalidValue) as refused:
        check_dose_form("prednisone", Dose(40, "mg/m2", "day"))

    assert refused.value.field == "unit"
    assert "prednisone" in refused.value.allowed and "mg/kg" in refused.value.allowed


@pytest.mark.parametrize("every", ["week", "2_weeks", "4_weeks", "month", "once"])
def test_a_glucocorticoid_on_a_schedule_other_than_day_or_2_days_is_refused(every):
    with pytest.raises(InvalidValue, match="day or 2_days") as refused:
        check_dose_form("prednisone", Dose(60, "mg", every))

    assert refused.value.field == "every"


def test_methotrexate_weekly_fits():
    assert check_dose_form("methotrexate", Dose(15, "mg", "week")) == Dose(15, "mg", "week")


def test_a_dose_above_the_agents_plausible_maximum_is_refused_naming_agent_limit_and_unit():
    limit = DEFINITION.dose_limits_mg["prednisone"]
    with pytest.raises(InvalidValue) as refused:
        check_dose_fits("prednisone", Dose(limit + 1, "mg", "day"), NO_BODY, limit)

    assert refused.value.field == "dose"
    assert f"prednisone: at most {limit:g} mg per administration" in refused.value.allowed


def test_a_dose_at_the_agents_plausible_maximum_is_accepted():
    limit = DEFINITION.dose_limits_mg["prednisone"]

    assert check_dose_fits("prednisone", Dose(limit, "mg", "day"), NO_BODY, limit) == limit


def test_the_limit_is_judged_in_mg_after_conversion():
    limit = DEFINITION.dose_limits_mg["cyclophosphamide"]  # 3000 mg
    body = Body(70, 170)  # 1.82 m2

    check_dose_fits("cyclophosphamide", Dose(1000, "mg/m2", "4_weeks"), body, limit)
    with pytest.raises(InvalidValue, match="after conversion"):
        check_dose_fits("cyclophosphamide", Dose(2000, "mg/m2", "4_weeks"), body, limit)


def test_a_dose_per_m2_with_no_height_is_refused_saying_it_needs_a_height():
    with pytest.raises(InvalidValue, match="a dose per m² needs a height"):
        check_dose_fits("cyclophosphamide", Dose(750, "mg/m2", "4_weeks"), Body(70, None), 3000)


def test_a_dose_per_kg_with_no_weight_is_refused_saying_it_needs_a_weight():
    with pytest.raises(InvalidValue, match="a dose per kg needs a weight"):
        check_dose_fits("prednisone", Dose(1, "mg/kg", "day"), NO_BODY, 300)


def test_every_shipped_limit_is_at_least_the_usual_maxima_quoted_in_the_spec():
    limits = DEFINITION.dose_limits_mg
    assert limits["methylprednisolone"] >= 2 * 1000  # pulse 500-1000 mg [S0]
    assert limits["methotrexate"] >= 2 * 25
    assert limits["rituximab"] >= 2 * 1000
    assert limits["cyclophosphamide"] >= 1364  # 750 mg/m2 at 1.82 m2 (spec example)


def test_the_definition_refuses_a_missing_or_non_numeric_dose_limit():
    from importlib import resources

    import yaml

    shipped = resources.files("pathway").joinpath("definition.yaml").read_text("utf-8")
    data = yaml.safe_load(shipped)
    del data["doses"]["max_mg_per_administration"]["prednisone"]
    data["doses"]["max_mg_per_administration"]["methotrexate"] = "50"

    with pytest.raises(DefinitionError) as refused:
        PathwayDefinition.from_mapping(data)

    assert "doses.max_mg_per_administration.prednisone: missing key" in str(refused.value)
    assert "doses.max_mg_per_administration.methotrexate" in str(refused.value)
