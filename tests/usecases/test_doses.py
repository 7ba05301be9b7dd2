"""Recording doses (CLINICAL_SPEC §11 Doses) and the other refusals of the §11 list: each
refusal names the field, the limit and the unit, and writes nothing."""

from datetime import date, timedelta
from pathlib import Path

import pytest

from ildpath.bootstrap import App, bootstrap
from ildpath.clock import SimulatedClock
from ildpath.settings import Settings
from ildpath.usecases import (
    EnrolPatient,
    TriggerCommand,
    amend_phenotype,
    enrol_patient,
    fire_trigger,
    patient_summary,
    record_event,
    record_observation,
    record_therapy,
)
from ildpath.usecases.patient_data import patient_data
from ildpath.usecases.timeline import timeline
from pathway.errors import InvalidValue

from .conftest import CLINICIAN, DAY, enrol, everything


def refused(app: App, call, field: str) -> InvalidValue:  # type: ignore[no-untyped-def]
    """``call`` refused naming ``field``, with nothing written."""
    before = everything(app)
    with pytest.raises(InvalidValue) as error:
        call()
    assert error.value.field == field, str(error.value)
    assert everything(app) == before
    return error.value


def start(app: App, agent: str, **body: object) -> object:
    return record_event(app, "P-001", "start", {"agent": agent, **body}, DAY, CLINICIAN)


# -- accepted -----------------------------------------------------------------------------


def test_a_dose_per_kg_is_stored_as_written_and_shown_with_its_mg(app: App) -> None:
    enrol(app, weight_kg=70.0)

    start(app, "prednisone", dose=1, unit="mg/kg", every="day")

    [therapy] = patient_data(patient_summary(app, "P-001"))["active_therapies"]
    assert (therapy["dose"], therapy["unit"], therapy["every"]) == (1, "mg/kg", "day")
    assert therapy["dose_mg"] == 70
    assert therapy["dose_text"] == "1 mg/kg every day (70 mg)"


def test_a_dose_per_m2_uses_the_height_amended_before_it(app: App) -> None:
    enrol(app, weight_kg=70.0)
    amend_phenotype(app, "P-001", "height_cm", 170, DAY, CLINICIAN, "measured")

    start(app, "cyclophosphamide", route="iv", dose=750, unit="mg/m2", every="4_weeks")

    summary = patient_summary(app, "P-001")
    [therapy] = patient_data(summary)["active_therapies"]
    assert therapy["dose_text"] == "750 mg/m² every 4 weeks (1364 mg)"
    assert patient_data(summary)["phenotype"]["height_cm"] == 170
    assert summary.patient.height_cm == 170
    assert any("750 mg/m² every 4 weeks (1364 mg)" in e.text for e in timeline(summary))


def test_dose_mg_per_day_is_stored_as_mg_every_day(app: App) -> None:
    enrol(app)

    record_therapy(app, "P-001", "start", "prednisone", DAY, CLINICIAN, dose_mg_per_day=60)

    [therapy] = patient_data(patient_summary(app, "P-001"))["active_therapies"]
    assert therapy["dose_text"] == "60 mg every day"


def test_height_is_taken_at_enrolment(app: App) -> None:
    enrol(app, height_cm=165.0)

    assert patient_summary(app, "P-001").phenotype.height_cm == 165


# -- refused: doses -----------------------------------------------------------------------


def test_a_dose_above_the_agents_limit_is_refused_naming_agent_limit_and_unit(app: App) -> None:
    enrol(app)

    error = refused(
        app, lambda: start(app, "prednisone", dose=100000, unit="mg", every="day"), "dose"
    )

    assert "prednisone: at most 300 mg per administration" in error.allowed


def test_a_dose_per_kg_above_the_limit_after_conversion_is_refused(app: App) -> None:
    enrol(app, weight_kg=100.0)

    error = refused(
        app, lambda: start(app, "prednisone", dose=4, unit="mg/kg", every="day"), "dose"
    )

    assert "400 mg after conversion" in error.allowed


def test_a_negative_dose_is_refused(app: App) -> None:
    enrol(app)

    error = refused(app, lambda: start(app, "prednisone", dose=-5, unit="mg", every="day"), "dose")

    assert "from 0" in error.allowed


@pytest.mark.parametrize("value", [True, "15", float("nan"), float("inf")])
def test_a_dose_that_is_not_a_finite_number_is_refused(app: App, value: object) -> None:
    enrol(app)

    refused(app, lambda: start(app, "methotrexate", dose=value, unit="mg", every="week"), "dose")


@pytest.mark.parametrize("value", [True, "60"])
def test_dose_mg_per_day_that_is_not_a_number_is_refused(app: App, value: object) -> None:
    enrol(app)

    refused(app, lambda: start(app, "prednisone", dose_mg_per_day=value), "dose_mg_per_day")


def test_both_forms_of_a_dose_are_refused_naming_the_fields(app: App) -> None:
    enrol(app)

    error = refused(
        app,
        lambda: start(app, "prednisone", dose_mg_per_day=20, dose=20, unit="mg", every="day"),
        "dose",
    )

    assert "either dose_mg_per_day or dose + unit + every" in error.allowed


@pytest.mark.parametrize(
    ("body", "missing"),
    [
        ({"dose": 15}, "unit"),
        ({"dose": 15, "unit": "mg"}, "every"),
        ({"unit": "mg", "every": "week"}, "dose"),
    ],
)
def test_a_dose_without_its_unit_or_schedule_is_refused_naming_the_field(
    app: App, body: dict[str, object], missing: str
) -> None:
    enrol(app)

    refused(app, lambda: start(app, "methotrexate", **body), missing)


def test_an_unknown_unit_or_schedule_is_refused_naming_the_allowed_ones(app: App) -> None:
    enrol(app)

    unit = refused(
        app, lambda: start(app, "methotrexate", dose=15, unit="ml", every="week"), "unit"
    )
    every = refused(
        app, lambda: start(app, "methotrexate", dose=15, unit="mg", every="year"), "every"
    )

    assert "mg/m2" in unit.allowed and "4_weeks" in every.allowed


def test_mg_per_m2_for_prednisone_is_refused(app: App) -> None:
    enrol(app, height_cm=170.0)

    refused(app, lambda: start(app, "prednisone", dose=40, unit="mg/m2", every="day"), "unit")


def test_a_weekly_glucocorticoid_is_refused(app: App) -> None:
    enrol(app)

    refused(app, lambda: start(app, "prednisone", dose=60, unit="mg", every="week"), "every")


def test_a_dose_per_m2_with_no_height_is_refused(app: App) -> None:
    enrol(app)

    error = refused(
        app,
        lambda: start(app, "cyclophosphamide", dose=750, unit="mg/m2", every="4_weeks"),
        "unit",
    )

    assert "a dose per m² needs a height" in error.allowed


def test_a_dose_per_m2_is_refused_when_the_height_is_amended_only_after_its_date(
    app: App, clock: SimulatedClock
) -> None:
    enrol(app)
    clock.move_to(DAY + timedelta(days=2))
    amend_phenotype(app, "P-001", "height_cm", 170, DAY + timedelta(days=2), CLINICIAN, "measured")

    refused(
        app,
        lambda: start(app, "cyclophosphamide", dose=750, unit="mg/m2", every="4_weeks"),
        "unit",
    )


def test_a_dose_on_a_stop_is_refused(app: App) -> None:
    enrol(app)
    start(app, "methotrexate", dose=15, unit="mg", every="week")

    refused(
        app,
        lambda: record_event(
            app,
            "P-001",
            "stop",
            {"agent": "methotrexate", "dose": 15, "unit": "mg", "every": "week"},
            DAY,
            CLINICIAN,
        ),
        "dose",
    )


# -- refused: height, numbers, text, dates ---------------------------------------------------


@pytest.mark.parametrize("value", [99.9, 250.1, True, "170"])
def test_a_height_outside_100_to_250_cm_or_not_a_number_is_refused(app: App, value: object) -> None:
    enrol(app)

    error = refused(
        app, lambda: amend_phenotype(app, "P-001", "height_cm", value, DAY, CLINICIAN), "height_cm"
    )

    assert "100 to 250 (cm)" in error.allowed


@pytest.mark.parametrize("value", [True, "68"])
def test_a_boolean_or_text_where_a_number_is_due_is_refused(app: App, value: object) -> None:
    enrol(app)

    error = refused(
        app,
        lambda: record_observation(
            app, "P-001", "pft", {"fvc_pct": value, "dlco_pct": 50}, DAY, CLINICIAN
        ),
        "fvc_pct",
    )

    assert "10 to 200 (% predicted)" in error.allowed


@pytest.mark.parametrize(
    "text",
    ["right-to-left \u202e override", "zero\u200bwidth", "bell \x07", "escape \x1b[31m", "cr\r"],
)
def test_a_reason_with_control_or_format_characters_is_refused(app: App, text: str) -> None:
    enrol(app)

    error = refused(
        app,
        lambda: fire_trigger(
            app,
            "P-001",
            TriggerCommand("declare_refractory", DAY, reason=text),
            CLINICIAN,
        ),
        "reason",
    )

    assert "tab and newline" in error.allowed


def test_tab_newline_and_a_windows_line_end_are_accepted_in_a_reason(app: App) -> None:
    enrol(app)

    fire_trigger(
        app,
        "P-001",
        TriggerCommand("declare_refractory", DAY, reason="no response\tto\r\nsteroids\n"),
        CLINICIAN,
    )


def test_a_finding_or_an_amendment_reason_with_a_format_character_is_refused(app: App) -> None:
    enrol(app)

    refused(
        app,
        lambda: record_observation(
            app, "P-001", "hrct", {"finding": "GGO\u2066 hidden"}, DAY, CLINICIAN
        ),
        "finding",
    )
    refused(
        app,
        lambda: amend_phenotype(app, "P-001", "weight_kg", 61, DAY, CLINICIAN, "typo\u200d"),
        "reason",
    )


def test_an_acknowledgement_with_a_control_character_is_refused(app: App) -> None:
    enrol(app, anti_mda5="positive", ild_course="rapidly_progressive")
    start(app, "infliximab")

    refused(
        app,
        lambda: record_event(
            app,
            "P-001",
            "acknowledge",
            {"code": "AVOID_AGENT", "justification": "ok\x00"},
            DAY,
            CLINICIAN,
        ),
        "justification",
    )


def test_a_patient_id_with_a_format_character_is_refused(app: App) -> None:
    refused(app, lambda: enrol(app, "P\u200b-002"), "id")


def test_a_birth_date_more_than_120_years_before_enrolment_is_refused(app: App) -> None:
    error = refused(app, lambda: enrol(app, birth_date=date(1906, 3, 1)), "birth_date")

    assert "120 years" in error.allowed


def test_a_birth_date_exactly_120_years_before_enrolment_is_accepted(app: App) -> None:
    enrol(app, birth_date=date(1906, 3, 2))


def test_a_birth_date_after_enrolment_is_refused(app: App) -> None:
    refused(
        app,
        lambda: enrol(app, birth_date=DAY - timedelta(days=1), enrolled_on=DAY - timedelta(days=2)),
        "birth_date",
    )


# -- the same on a SQLite file ------------------------------------------------------------------


def test_doses_on_a_sqlite_file_are_written_and_refused_alike(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'doses.db'}"
    app = bootstrap(Settings(database_url=url), SimulatedClock(DAY))
    try:
        enrol_patient(
            app,
            EnrolPatient(
                "P-001",
                "male",
                date(1969, 10, 21),
                DAY,
                "polymyositis",
                "negative",
                "negative",
                "progressive",
                weight_kg=70.0,
                height_cm=170.0,
            ),
            CLINICIAN,
        )
        version = patient_summary(app, "P-001").patient.version
        with pytest.raises(InvalidValue, match="at most 3000 mg"):
            start(app, "cyclophosphamide", dose=2000, unit="mg/m2", every="4_weeks")
        assert patient_summary(app, "P-001").patient.version == version

        start(app, "cyclophosphamide", route="iv", dose=750, unit="mg/m2", every="4_weeks")

        summary = patient_summary(app, "P-001")
        [row] = summary.therapy_events
        assert (row.dose, row.unit, row.every) == (750, "mg/m2", "4_weeks")
        [therapy] = patient_data(summary)["active_therapies"]
        assert therapy["dose_text"] == "750 mg/m² every 4 weeks (1364 mg)"
    finally:
        app.engine.dispose()
