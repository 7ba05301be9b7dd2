"""The daily run on the memory store: time-driven alerts, and patients left quiet."""

from datetime import timedelta

from ildpath.bootstrap import App
from ildpath.usecases import evaluate_patient, patient_summary, run_daily_evaluation

from .conftest import DAY, enrol


def test_a_pft_not_done_by_its_due_date_is_overdue_the_day_after(app: App, clock) -> None:
    enrol(app)
    due = DAY + timedelta(days=14)

    for day in (due, due + timedelta(days=1)):
        clock.move_to(day)
        run_daily_evaluation(app, day)
        codes = patient_summary(app, "P-001", day).alert_codes()
        assert ("PFT_OVERDUE" in codes) == (day > due)


def test_a_patient_whose_judgement_cannot_change_is_carried_unread(app: App, clock) -> None:
    enrol(app)
    tomorrow = DAY + timedelta(days=1)
    clock.move_to(tomorrow)

    assert run_daily_evaluation(app, tomorrow) == 1
    assert run_daily_evaluation(app, tomorrow + timedelta(days=1)) == 0
    assert run_daily_evaluation(app, tomorrow + timedelta(days=2), everyone=True) == 1


def test_one_patients_daily_run_catches_up_the_days_it_missed(app: App, clock) -> None:
    enrol(app)
    later = DAY + timedelta(days=30)
    clock.move_to(later)

    evaluate_patient(app, "P-001", later)

    summary = patient_summary(app, "P-001", later)
    overdue = [a for a in summary.alerts if a.code == "PFT_OVERDUE"]
    assert [a.raised_on for a in overdue] == [DAY + timedelta(days=15)]
