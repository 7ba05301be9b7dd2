"""§10 with §8's task actions: a declined task is counted apart (its own figure, by kind) and
never as missed; a rescheduled PFT is judged on time by the engine's date, and is overdue at
the end of the period only from its new date."""

from datetime import date, timedelta
from pathlib import Path

from sqlmodel import select

from ildpath.reports.cohort import build_cohort_report
from ildpath.usecases import Actor, evaluate_patient
from ildpath.usecases.task_actions import decline_task, reschedule_task
from persistence.tables import CareTaskRow
from tests.integration.apps import clinic, enrol

ENROLLED = date(2026, 3, 2)
ANNA = Actor("anna.rossi", "coordinator")


def test_a_declined_vaccination_is_counted_apart_and_a_rescheduled_pft_by_the_engine_date(
    tmp_path: Path,
) -> None:
    with clinic(f"sqlite:///{tmp_path}/clinic.db", ENROLLED) as (app, clock):
        enrol(app)
        with app.transaction() as session:
            ids = {t.kind: t.id for t in session.exec(select(CareTaskRow)).all()}
        decline_task(app, ids["vaccination_covid19"] or 0, "declined by the patient", ANNA)
        new_due = ENROLLED + timedelta(days=60)
        reschedule_task(app, ids["pft"] or 0, new_due, "spirometer broken", ANNA)
        end = ENROLLED + timedelta(days=50)
        clock.move_to(end)
        evaluate_patient(app, "P-001")

        report = build_cohort_report(app, ENROLLED, end)

    declined = next(m for m in report.measures if m.code == "tasks_declined")
    assert (declined.value, declined.n) == (1, 1)
    assert "vaccination_covid19 1" in declined.definition
    pft = next(m for m in report.measures if m.code == "pft_on_time")
    assert (pft.numerator, pft.denominator) == (0, 1)  # missed by the engine's date + 14 days
    assert "pft" not in {o["task"] for o in report.overdue}  # not overdue before its new date
    assert "vaccination_covid19" not in {o["task"] for o in report.overdue}
