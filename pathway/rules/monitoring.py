"""Alerts of monitoring (CLINICAL_SPEC §4, §8): anti-MDA5 status, CMV reactivation, overdue
PFT, CMV and plasma-exchange work."""

from collections.abc import Iterable, Iterator
from datetime import date

from ..chart import Chart
from ..definition import PathwayDefinition
from ..findings import Alert, CareTask
from ..observations import cmv_load
from ..record import Observation

__all__ = [
    "OVERDUE_ALERTS",
    "OVERDUE_CODES",
    "cmv_above_threshold",
    "cmv_reactivation",
    "mda5_status_unknown",
    "overdue_alerts",
]

_OVERDUE_CODES = {
    "pft": "PFT_OVERDUE",
    "cmv_test": "CMV_MONITORING_OVERDUE",
    "plasma_exchange": "PLASMA_EXCHANGE_OVERDUE",
}
OVERDUE_ALERTS = frozenset(_OVERDUE_CODES.values())
"""Time-driven alerts: judged by the daily evaluation, after all of a day's events."""
OVERDUE_CODES = tuple(sorted(OVERDUE_ALERTS))


def mda5_status_unknown(chart: Chart, day: date) -> Alert | None:
    """`MDA5_STATUS_UNKNOWN` (§4): anti-MDA5 pending or unknown in rapidly progressive ILD,
    where the choice between phenotypes A and C depends on it."""
    phenotype = chart.phenotype(day)
    if phenotype.anti_mda5 in {"pending", "unknown"} and phenotype.rapidly_progressive:
        return Alert.under(
            chart.definition,
            "MDA5_STATUS_UNKNOWN",
            "MDA5_STATUS_UNKNOWN",
            detail=f"anti-MDA5 {phenotype.anti_mda5}",
        )
    return None


def cmv_above_threshold(result: Observation, definition: PathwayDefinition) -> bool:
    """A CMV DNA result above the detection threshold of its own unit (§8, configurable per
    unit; IU/mL and copies/mL are never converted): a result reported below a limit
    (``< 35 IU/mL``) is not above it. The one judgement of a CMV value: the alert, its
    clearing (§7a) and anything else that asks read it here."""
    load = cmv_load(result)
    return load is not None and load.exceeds(definition.cmv_thresholds[load.unit])


def cmv_reactivation(chart: Chart, day: date) -> Iterator[Alert]:
    """`CMV_REACTIVATION` (§8, [S4]): a CMV DNA result above the detection threshold while an
    immunosuppressive agent is active on the result's date."""
    for result in chart.observations("cmv", until=day):
        if result.on < chart.record.enrolled_on:
            continue  # prior history raises no alert dated before enrolment (§11)
        if cmv_above_threshold(result, chart.definition) and chart.exposure.immunosuppressed_on(
            result.on
        ):
            yield Alert.under(
                chart.definition,
                "CMV_REACTIVATION",
                f"CMV_REACTIVATION:{result.id}",
                (result.id,),
                f"{cmv_load(result)} on {result.on}",
            )


def overdue_alerts(chart: Chart, tasks: Iterable[CareTask], day: date) -> Iterator[Alert]:
    """`PFT_OVERDUE`, `CMV_MONITORING_OVERDUE` (warnings) and `PLASMA_EXCHANGE_OVERDUE`
    (critical, [S4] within 2 weeks): the task is open past its due date in force on ``day``
    (a rescheduled date, §8 Acting on a task, moves it)."""
    for task in tasks:
        code = _OVERDUE_CODES.get(task.kind)
        if code and task.is_overdue(day):
            yield Alert.under(
                chart.definition,
                code,
                f"{code}:{task.key}",
                (task.key,),
                _due_words(task),
            )


def _due_words(task: CareTask) -> str:
    if task.rescheduled_to is None:
        return f"due {task.due_on}"
    return f"due {task.rescheduled_to}, rescheduled from {task.due_on}"
