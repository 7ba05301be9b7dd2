"""The clinic the browser tests open: three synthetic patients, each there for what the tests
must find on its page, and the rows the tests read back to see what a page wrote."""

from datetime import date, timedelta

from sqlmodel import select

from ildpath.bootstrap import App
from ildpath.usecases import TriggerCommand, fire_trigger, record_observation, record_therapy
from persistence.tables import PatientRow, TransitionRow
from tests.integration.apps import CLINICIAN, enrol

TODAY = date(2026, 11, 2)
MDA5 = "MDA5-01"
"""Anti-MDA5 positive, RP-ILD, infliximab recorded: a critical AVOID_AGENT alert, and the
transplant_referral task opened at enrolment (due that day) is overdue."""
PROGRESSING = "PROG-02"
"""Phenotype B in monitoring; the PFT the clinician records shows FVC falling 8 points."""
STABLE = "STABLE-03"
"""Enrolled today: nothing overdue, nothing alerted."""


def seed(app: App) -> None:
    enrol(
        app,
        MDA5,
        enrolled_on=TODAY - timedelta(days=13),
        diagnosis="clinically_amyopathic_dm",
        anti_mda5="positive",
        ild_course="rapidly_progressive",
    )
    record_therapy(app, MDA5, "start", "infliximab", TODAY - timedelta(days=12), CLINICIAN)

    start = date(2026, 3, 2)
    enrol(app, PROGRESSING, enrolled_on=start)
    for agent, dose in (("prednisone", 60.0), ("mycophenolate_mofetil", None)):
        record_therapy(
            app, PROGRESSING, "start", agent, start, CLINICIAN, route="oral", dose_mg_per_day=dose
        )
    record_observation(app, PROGRESSING, "pft", {"fvc_pct": 82, "dlco_pct": 70}, start, CLINICIAN)
    fire_trigger(app, PROGRESSING, TriggerCommand("start_induction", start), CLINICIAN)
    response = date(2026, 6, 1)
    fire_trigger(app, PROGRESSING, TriggerCommand("achieve_response", response), CLINICIAN)
    record_observation(
        app, PROGRESSING, "pft", {"fvc_pct": 81, "dlco_pct": 69}, response, CLINICIAN
    )

    enrol(app, STABLE, enrolled_on=TODAY)


def patient_row(app: App, patient_id: str) -> PatientRow:
    with app.transaction() as session:
        row = session.exec(select(PatientRow).where(PatientRow.external_id == patient_id)).one()
        session.expunge(row)
        return row


def transitions(app: App) -> int:
    with app.transaction() as session:
        return len(session.exec(select(TransitionRow.id)).all())
