"""Enrolling a patient and amending the phenotype, as a coordinator does."""

from datetime import timedelta

import pytest

from ildpath.bootstrap import App
from ildpath.errors import DuplicatePatient
from ildpath.usecases import amend_phenotype, patient_summary
from pathway.errors import InvalidValue

from .conftest import COORDINATOR, DAY, enrol, everything


def test_enrolment_opens_the_first_pft_and_the_vaccinations(app: App) -> None:
    outcome = enrol(app)

    assert outcome.patient_id == "P-001" and outcome.state == "diagnosis"
    assert {t.kind for t in outcome.tasks_opened} == {
        "pft",
        "vaccination_influenza",
        "vaccination_pneumococcal",
        "vaccination_covid19",
    }
    pft = next(t for t in outcome.tasks_opened if t.kind == "pft")
    assert pft.due_on == DAY + timedelta(days=14)
    assert outcome.alerts_raised == ()


def test_a_rapidly_progressive_patient_awaiting_anti_mda5_is_flagged_at_enrolment(app: App) -> None:
    outcome = enrol(app, anti_mda5="pending", ild_course="rapidly_progressive")

    assert [a.code for a in outcome.alerts_raised] == ["MDA5_STATUS_UNKNOWN"]


def test_an_anti_mda5_positive_patient_is_referred_for_transplant_evaluation_at_once(
    app: App,
) -> None:
    outcome = enrol(app, anti_mda5="positive", ild_course="rapidly_progressive")

    referral = next(t for t in outcome.tasks_opened if t.kind == "transplant_referral")
    assert referral.due_on == DAY


def test_the_same_id_twice_is_refused_and_nothing_is_written(app: App) -> None:
    enrol(app)
    before = everything(app)

    with pytest.raises(DuplicatePatient, match="P-001"):
        enrol(app)
    assert everything(app) == before


def test_a_wrong_phenotype_value_is_named_with_the_allowed_values(app: App) -> None:
    with pytest.raises(InvalidValue) as refused:
        enrol(app, anti_mda5="maybe")

    assert refused.value.field == "anti_mda5" and "positive" in refused.value.allowed
    assert everything(app)[0] == 0


def test_anti_mda5_turning_positive_opens_the_referral_and_updates_the_patient(
    app: App, clock
) -> None:
    enrol(app, anti_mda5="pending")
    clock.move_to(DAY + timedelta(days=10))
    on = DAY + timedelta(days=9)

    outcome = amend_phenotype(app, "P-001", "anti_mda5", "positive", on, COORDINATOR, "result")

    assert [t.kind for t in outcome.tasks_opened] == ["transplant_referral"]
    summary = patient_summary(app, "P-001")
    assert summary.patient.anti_mda5 == "positive"
    assert summary.phenotype.mda5_positive
    assert summary.patient.version == outcome.version


def test_an_unknown_phenotype_field_is_refused(app: App) -> None:
    enrol(app)
    before = everything(app)

    with pytest.raises(InvalidValue, match="field"):
        amend_phenotype(app, "P-001", "blood_group", "A", DAY, COORDINATOR)
    assert everything(app) == before
