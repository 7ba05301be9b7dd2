"""All care tasks of a patient as of a day, and what closing the pathway does to them (§8)."""

from dataclasses import replace
from datetime import date

from ...chart import Chart
from ...findings import CareTask, TaskStatus
from ...record import AlertRaised
from .actions import with_actions
from .ledger import TaskLedger
from .monitoring import cmv_test_tasks, hrct_tasks, pft_tasks
from .prevention import pulmonary_rehabilitation_tasks, vaccination_tasks
from .treatment import (
    bone_protection_tasks,
    pjp_prophylaxis_tasks,
    plasma_exchange_tasks,
    transplant_referral_tasks,
)

__all__ = ["care_tasks"]


def _ledgers(chart: Chart, as_of: date, alerts: tuple[AlertRaised, ...]) -> list[TaskLedger]:
    return [
        pft_tasks(chart, as_of),
        hrct_tasks(chart, as_of, alerts),
        cmv_test_tasks(chart, as_of),
        plasma_exchange_tasks(chart, as_of),
        transplant_referral_tasks(chart, as_of, alerts),
        pjp_prophylaxis_tasks(chart, as_of),
        bone_protection_tasks(chart, as_of),
        *(vaccination_tasks(chart, as_of, v) for v in ("influenza", "pneumococcal", "covid19")),
        pulmonary_rehabilitation_tasks(chart, as_of),
    ]


def care_tasks(chart: Chart, as_of: date, alerts: tuple[AlertRaised, ...]) -> list[CareTask]:
    """Every task instance known on ``as_of``: open, done or cancelled.

    `close` cancels every open task, and a closed patient gets no new task (§8). A person's
    actions on a task (§8 Acting on a task) are applied: declines where the replay reaches
    them, reschedules and assignments over the tasks they name. No task opens before
    enrolment (§11 Prior history): one that prior history would have opened and closed before
    it never shows; one still open at enrolment opens then, its window from then.
    """
    closed_on = chart.course.closed_on()
    enrolled = chart.record.enrolled_on
    tasks: list[CareTask] = []
    for ledger in _ledgers(chart, as_of, alerts):
        ledger.settle(as_of, inclusive=True)
        for task in ledger.tasks:
            if task.opened_on > as_of or (task.closed_on is not None and task.closed_on < enrolled):
                continue
            if task.opened_on < enrolled:
                window = task.due_on - task.opened_on
                task = replace(task, opened_on=enrolled, due_on=enrolled + window)
            if closed_on is not None and closed_on <= as_of:
                if task.opened_on > closed_on:
                    continue
                if task.closed_on is None or task.closed_on > closed_on:
                    task = replace(task, status=TaskStatus.CANCELLED, closed_on=closed_on)
            tasks.append(task)
    return list(with_actions(tasks, chart.record.task_actions))
