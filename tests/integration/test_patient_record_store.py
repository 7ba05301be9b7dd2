"""The patient record store, run alike on SQLite and PostgreSQL (one contract, two stores)."""

import itertools
from datetime import UTC, date

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from ildpath.errors import DuplicatePatient, PatientClosed, PatientNotFound
from ildpath.usecases import (
    TriggerCommand,
    acknowledge_alert,
    amend_phenotype,
    fire_trigger,
    patient_summary,
    record_given,
    record_observation,
    record_therapy,
)
from pathway.errors import ClinicalError, GuardFailed, InvalidTransition, InvalidValue
from persistence.tables import (
    CLINICAL_TABLES,
    AlertRow,
    AuditEventRow,
    ObservationRow,
    TransitionRow,
)

from .apps import CLINICIAN, clinic, enrol

DAY = date(2026, 3, 2)
TABLES = CLINICAL_TABLES


def snapshot(app) -> tuple:  # type: ignore[no-untyped-def]
    """Everything a refused request must leave untouched."""
    with app.engine.connect() as connection:
        counts = tuple(
            connection.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES
        )
        patients = tuple(
            tuple(r)
            for r in connection.execute(
                text("SELECT external_id, state, version, audit_seq, audit_head FROM patient")
            )
        )
    return counts, patients


def test_enrolled_patient_reads_back_with_phenotype_and_enrolment_tasks(database_url):
    with clinic(database_url, DAY) as (app, _):
        enrol(
            app,
            anti_mda5="positive",
            ild_course="rapidly_progressive",
            risk_factors=("extensive_ggo",),
        )
        summary = patient_summary(app, "P-001")
        assert summary.patient.state == "diagnosis"
        assert summary.patient.risk_factors == ["extensive_ggo"]
        assert {"pft", "transplant_referral", "vaccination_influenza"} <= summary.task_kinds("open")
        assert summary.evaluation.recommendations[0].code == "MDA5_TRIPLE_GC_TAC_CYC"


def test_late_entry_keeps_clinical_and_recorded_dates_and_utc_instants(database_url):
    with clinic(database_url, DAY) as (app, _):
        enrol(app, enrolled_on=date(2026, 2, 20))
        record_observation(
            app, "P-001", "pft", {"fvc_pct": 70, "dlco_pct": 50}, date(2026, 2, 25), CLINICIAN
        )
        with app.transaction() as session:
            pft = session.exec(select(ObservationRow)).one()
        assert (pft.clinical_on, pft.recorded_on) == (date(2026, 2, 25), DAY)
        assert pft.recorded_at.utcoffset() is not None
        assert pft.recorded_at.astimezone(UTC).date() == DAY


def test_safety_alert_is_raised_when_the_therapy_is_recorded_and_acknowledged(database_url):
    with clinic(database_url, DAY) as (app, _):
        enrol(app, anti_mda5="positive", ild_course="rapidly_progressive")
        record_therapy(app, "P-001", "start", "infliximab", DAY, CLINICIAN, route="iv")
        with app.transaction() as session:
            alert = session.exec(select(AlertRow).where(AlertRow.code == "AVOID_AGENT")).one()
        assert alert.severity == "critical" and alert.source == "S4"
        acknowledge_alert(app, alert.id, "refractory uveitis, rheumatology agreed", CLINICIAN)
        summary = patient_summary(app, "P-001")
        acked = next(a for a in summary.alerts if a.code == "AVOID_AGENT")
        assert acked.acknowledged_by == "dr-test"
        assert acked.justification == "refractory uveitis, rheumatology agreed"
        with pytest.raises(InvalidValue, match="justification"):
            acknowledge_alert(app, alert.id, "  ", CLINICIAN)


def test_transition_records_actor_reason_evidence_and_pathway_version(database_url):
    with clinic(database_url, DAY) as (app, _):
        enrol(app)
        record_therapy(app, "P-001", "start", "prednisone", DAY, CLINICIAN, dose_mg_per_day=60)
        fire_trigger(
            app, "P-001", TriggerCommand("start_induction", DAY, reason="GC + MMF"), CLINICIAN
        )
        with app.transaction() as session:
            move = session.exec(select(TransitionRow)).one()
        assert (move.from_state, move.to_state, move.actor, move.role) == (
            "diagnosis",
            "induction",
            "dr-test",
            "clinician",
        )
        assert move.reason == "GC + MMF"
        assert move.pathway_version == app.definition.version
        assert patient_summary(app, "P-001").patient.state == "induction"


@pytest.mark.parametrize(
    ("request_", "error"),
    [
        (
            lambda app: fire_trigger(
                app, "P-001", TriggerCommand("achieve_response", DAY), CLINICIAN
            ),
            InvalidTransition,
        ),
        (
            lambda app: fire_trigger(
                app, "P-001", TriggerCommand("start_induction", DAY), CLINICIAN
            ),
            GuardFailed,
        ),
        (
            lambda app: record_observation(app, "P-001", "pft", {"fvc_pct": 201}, DAY, CLINICIAN),
            InvalidValue,
        ),
        (
            lambda app: record_therapy(app, "P-001", "start", "aspirin", DAY, CLINICIAN),
            InvalidValue,
        ),
        (
            lambda app: record_therapy(app, "P-001", "stop", "prednisone", DAY, CLINICIAN),
            InvalidValue,
        ),
        (
            lambda app: record_observation(
                app, "P-001", "cmv", {"iu_per_ml": 10}, date(2026, 3, 3), CLINICIAN
            ),
            InvalidValue,
        ),
        (
            lambda app: record_given(app, "P-001", "procedure", "bronchoscopy", DAY, CLINICIAN),
            InvalidValue,
        ),
        (
            lambda app: record_given(
                app, "P-001", "vaccination", "influenza", date(2021, 2, 1), CLINICIAN
            ),
            InvalidValue,
        ),
        (
            lambda app: amend_phenotype(app, "P-001", "anti_mda5", "maybe", DAY, CLINICIAN),
            InvalidValue,
        ),
        (
            lambda app: record_observation(app, "NOBODY", "pft", {"fvc_pct": 70}, DAY, CLINICIAN),
            PatientNotFound,
        ),
    ],
    ids=[
        "trigger-not-allowed",
        "guard-fails",
        "fvc-out-of-range",
        "unknown-agent",
        "stop-inactive-agent",
        "future-date",
        "unknown-procedure",
        "over-5-years-before-enrolment",
        "unknown-phenotype-value",
        "unknown-patient",
    ],
)
def test_refused_request_writes_nothing(database_url, request_, error):
    with clinic(database_url, DAY) as (app, _):
        enrol(app)
        before = snapshot(app)
        with pytest.raises(error):
            request_(app)
        assert snapshot(app) == before


def test_refused_trigger_names_current_state_and_allowed_triggers(database_url):
    with clinic(database_url, DAY) as (app, _):
        enrol(app)
        with pytest.raises(InvalidTransition) as refused:
            fire_trigger(
                app, "P-001", TriggerCommand("detect_progression", DAY, reason="x"), CLINICIAN
            )
        message = str(refused.value)
        assert "'diagnosis'" in message
        assert "start_induction, declare_refractory, refer_transplant, close" in message


def test_duplicate_enrolment_is_refused(database_url):
    with clinic(database_url, DAY) as (app, _):
        enrol(app)
        before = snapshot(app)
        with pytest.raises(DuplicatePatient):
            enrol(app)
        assert snapshot(app) == before


def test_closed_patient_accepts_no_events_and_has_no_open_tasks(database_url):
    with clinic(database_url, DAY) as (app, _):
        enrol(app, anti_mda5="positive", ild_course="rapidly_progressive")
        fire_trigger(
            app, "P-001", TriggerCommand("close", DAY, closing_reason="transferred"), CLINICIAN
        )
        summary = patient_summary(app, "P-001")
        assert summary.patient.state == "closed"
        assert summary.task_kinds("open") == set()
        assert summary.evaluation.recommendations == ()
        with pytest.raises(PatientClosed):
            record_observation(app, "P-001", "pft", {"fvc_pct": 70}, DAY, CLINICIAN)


def test_amendment_to_anti_mda5_positive_opens_transplant_referral_that_day(database_url):
    with clinic(database_url, DAY) as (app, clock):
        enrol(app, anti_mda5="pending", ild_course="rapidly_progressive")
        assert "transplant_referral" not in patient_summary(app, "P-001").task_kinds("open")
        clock.move_to(date(2026, 3, 5))
        amend_phenotype(
            app,
            "P-001",
            "anti_mda5",
            "positive",
            date(2026, 3, 4),
            CLINICIAN,
            reason="result from reference lab",
        )
        summary = patient_summary(app, "P-001")
        assert summary.patient.anti_mda5 == "positive"
        assert "transplant_referral" in summary.task_kinds("overdue")
        with app.transaction() as session:
            kinds = [
                e.kind for e in session.exec(select(AuditEventRow).order_by(col(AuditEventRow.seq)))
            ]
        assert "phenotype_amended" in kinds


def test_every_change_is_an_audit_event_chained_to_the_previous(database_url):
    with clinic(database_url, DAY) as (app, _):
        enrol(app)
        record_observation(app, "P-001", "pft", {"fvc_pct": 70, "dlco_pct": 50}, DAY, CLINICIAN)
        with app.transaction() as session:
            events = list(session.exec(select(AuditEventRow).order_by(col(AuditEventRow.seq))))
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
        assert {"patient_enrolled", "observation_recorded", "task_opened"} <= {
            e.kind for e in events
        }


def test_clinical_errors_are_one_family(database_url):
    assert issubclass(PatientNotFound, ClinicalError)
    assert issubclass(DuplicatePatient, ClinicalError)
