"""Closing the pathway (§2, §8): close cancels every open task; a closed patient gets no new
task, alert, proposal or recommendation."""

import pytest

from tests.unit.builders import evaluate_on, patient, plus

E = "2026-01-05"
CLOSED = "2026-02-16"


def busy_patient_closed(reason="deceased"):
    """Anti-MDA5 positive RP-ILD on high-flow oxygen with open work of every kind, then closed."""
    return (
        patient(enrolled=E, anti_mda5="positive", ild_course="rapidly_progressive")
        .start(E, "prednisone", dose=60)
        .start(E, "tacrolimus", dose=4)
        .start("2026-01-12", "infliximab")
        .transition(E, "start_induction")
        .transition("2026-01-20", "declare_refractory", reason="no response")
        .oxygen("2026-02-01", "high_flow")
        .cmv("2026-02-02", 500)
        .transition(CLOSED, "close", closing_reason=reason)
    )


def test_before_closing_the_patient_has_open_tasks_alerts_and_recommendations():
    evaluation = evaluate_on(busy_patient_closed().build(), plus(CLOSED, -1))

    assert evaluation.open_tasks() and evaluation.alerts and evaluation.recommendations
    assert evaluation.proposals


@pytest.mark.parametrize("reason", ["deceased", "transferred", "transplanted", "lost_to_follow_up"])
def test_after_close_there_is_no_open_task(reason):
    evaluation = evaluate_on(busy_patient_closed(reason).build(), CLOSED)

    assert evaluation.state == "closed"
    assert evaluation.open_tasks() == []


def test_close_cancels_every_task_open_on_the_closing_day():
    before = evaluate_on(busy_patient_closed().build(), plus(CLOSED, -1)).open_tasks()
    after = {t.key: t for t in evaluate_on(busy_patient_closed().build(), CLOSED).tasks}

    assert {(after[t.key].status, after[t.key].closed_on) for t in before} == {
        ("cancelled", plus(CLOSED, 0))
    }


def test_after_close_there_are_no_alerts_recommendations_proposals_or_triggers():
    evaluation = evaluate_on(busy_patient_closed().build(), plus(CLOSED, 30))

    assert evaluation.alerts == ()
    assert evaluation.recommendations == ()
    assert evaluation.proposals == ()
    assert evaluation.allowed_triggers == ()


def test_a_closed_patient_gets_no_new_task_from_a_later_entry():
    record = (
        busy_patient_closed()
        .pft(plus(CLOSED, 3), fvc=60, dlco=40)
        .cmv(plus(CLOSED, 3), 900)
        .start(plus(CLOSED, 3), "prednisolone", dose=40)
        .build()
    )

    evaluation = evaluate_on(record, plus(CLOSED, 10))

    assert evaluation.open_tasks() == []
    assert all(t.opened_on <= plus(CLOSED, 0) for t in evaluation.tasks)
    assert evaluation.alerts == ()
