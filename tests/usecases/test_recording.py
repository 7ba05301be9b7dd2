"""Recording what happened: each entry says at once what it raised and closed."""

from datetime import timedelta

import pytest

from ildpath.bootstrap import App
from ildpath.errors import PatientClosed, PatientNotFound
from ildpath.usecases import (
    TriggerCommand,
    fire_trigger,
    record_given,
    record_observation,
    record_therapy,
)
from pathway.errors import InvalidValue
from persistence.errors import StaleWrite

from .conftest import CLINICIAN, COORDINATOR, DAY, enrol, everything


def test_a_pft_closes_the_pft_task_and_opens_the_next(app: App) -> None:
    enrol(app)

    outcome = record_observation(
        app, "P-001", "pft", {"fvc_pct": 72, "dlco_pct": 55}, DAY, COORDINATOR
    )

    assert outcome.entry_id is not None
    assert [(t.kind, t.status) for t in outcome.tasks_closed] == [("pft", "done")]
    [next_pft] = [t for t in outcome.tasks_opened if t.kind == "pft"]
    assert next_pft.due_on > DAY + timedelta(days=80)


def test_a_cmv_load_under_immunosuppression_raises_a_critical_alert_at_once(app: App) -> None:
    enrol(app)
    record_therapy(app, "P-001", "start", "prednisone", DAY, COORDINATOR, dose_mg_per_day=60)

    outcome = record_observation(app, "P-001", "cmv", {"iu_per_ml": 500}, DAY, COORDINATOR)

    [alert] = outcome.alerts_raised
    assert (alert.code, alert.severity) == ("CMV_REACTIVATION", "critical")


def test_an_agent_to_avoid_is_flagged_when_it_is_recorded(app: App) -> None:
    enrol(app, anti_mda5="positive", ild_course="rapidly_progressive")

    outcome = record_therapy(app, "P-001", "start", "infliximab", DAY, COORDINATOR)

    assert "AVOID_AGENT" in {a.code for a in outcome.alerts_raised}


def test_only_an_active_agent_can_be_stopped(app: App) -> None:
    enrol(app)
    before = everything(app)

    with pytest.raises(InvalidValue, match="active"):
        record_therapy(app, "P-001", "stop", "tacrolimus", DAY, COORDINATOR)
    assert everything(app) == before


def test_a_value_outside_its_range_is_refused_naming_the_field_and_the_range(app: App) -> None:
    enrol(app)
    before = everything(app)

    with pytest.raises(InvalidValue) as refused:
        record_observation(app, "P-001", "pft", {"fvc_pct": 500}, DAY, COORDINATOR)
    assert refused.value.field == "fvc_pct" and "10" in refused.value.allowed
    assert everything(app) == before


def test_a_vaccination_closes_its_task(app: App) -> None:
    enrol(app)

    outcome = record_given(app, "P-001", "vaccination", "influenza", DAY, COORDINATOR)

    assert [(t.kind, t.status) for t in outcome.tasks_closed] == [("vaccination_influenza", "done")]


def test_a_procedure_unknown_to_the_pathway_is_refused(app: App) -> None:
    enrol(app)

    with pytest.raises(InvalidValue, match="plasma_exchange"):
        record_given(app, "P-001", "procedure", "bronchoscopy", DAY, COORDINATOR)


def test_a_write_based_on_an_older_read_is_refused(app: App) -> None:
    enrolled = enrol(app)
    record_observation(app, "P-001", "cmv", {"iu_per_ml": 0}, DAY, COORDINATOR)
    before = everything(app)

    with pytest.raises(StaleWrite, match="reload"):
        record_observation(
            app,
            "P-001",
            "cmv",
            {"iu_per_ml": 0},
            DAY,
            COORDINATOR,
            expected_version=enrolled.version,
        )
    assert everything(app) == before


def test_an_unknown_or_closed_patient_takes_no_entry(app: App) -> None:
    enrol(app)
    fire_trigger(
        app, "P-001", TriggerCommand("close", DAY, closing_reason="transferred"), CLINICIAN
    )

    with pytest.raises(PatientNotFound):
        record_given(app, "P-404", "vaccination", "influenza", DAY, COORDINATOR)
    with pytest.raises(PatientClosed):
        record_given(app, "P-001", "vaccination", "influenza", DAY, COORDINATOR)
