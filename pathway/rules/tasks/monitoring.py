"""Monitoring tasks: PFTs, HRCT on suspected progression, CMV tests (§8)."""

from datetime import date, timedelta

from ...chart import Chart
from ...dates import add_months
from ...record import AlertRaised
from ...window import Rule, Window
from .ledger import TaskLedger

__all__ = ["TASK_DATES", "WINDOWS", "cmv_test_tasks", "hrct_tasks", "pft_tasks"]

WINDOWS: tuple[Window, ...] = ()
"""None: due dates are counted from enrolment and PFTs; the risk that sets the PFT interval
ends on `Chart.high_risk_on`'s window (§8)."""


def pft_interval_months(chart: Chart, day: date) -> int:
    """[S0] every 3-6 months: 3 when high risk on ``day`` (§8), else 6 (configurable)."""
    d = chart.definition
    if chart.high_risk_on(day):
        return d.pft_interval_months_high_risk
    return d.pft_interval_months_low_risk


def pft_tasks(chart: Chart, as_of: date) -> TaskLedger:
    """`pft`: opened at enrolment and again after each PFT; due last PFT + 3 or 6 calendar
    months by the risk of the day (so the open task follows the current risk), or enrolment
    + 14 days with no PFT yet; closed by a PFT."""
    ledger = TaskLedger("pft", chart.definition.version)
    enrolled = chart.record.enrolled_on
    pfts = chart.observations("pft", until=as_of)
    baseline = [p for p in pfts if p.on < enrolled]
    last: date | None = baseline[-1].on if baseline else None

    def due(day: date) -> date:
        if last is None:
            return enrolled + timedelta(days=chart.definition.task_days["first_pft"])
        return add_months(last, pft_interval_months(chart, day))

    evidence = (baseline[-1].id,) if baseline else ()
    ledger.open_due("enrolment", enrolled, due(enrolled), evidence)
    for pft in (p for p in pfts if p.on >= enrolled):
        ledger.redate_current(due(pft.on))
        ledger.done(pft.on)
        last = pft.on
        ledger.open_due(pft.id, pft.on, due(pft.on), (pft.id,))
    ledger.redate_current(due(as_of))
    return ledger


def hrct_tasks(chart: Chart, as_of: date, alerts: tuple[AlertRaised, ...]) -> TaskLedger:
    """`hrct`: opened on the day PROGRESSION_SUSPECTED is raised, due + 14 days; closed by an
    HRCT dated on or after the PFT that raised it ([S0] HRCT when clinically indicated)."""
    ledger = TaskLedger("hrct", chart.definition.version)
    scans = [h.on for h in chart.observations("hrct", until=as_of)]
    floor = as_of
    for alert in sorted(alerts, key=lambda a: a.raised_on):
        if alert.code != "PROGRESSION_SUSPECTED":
            continue
        _close_on_first(ledger, scans, floor, alert.raised_on)
        pft = chart.observation(alert.evidence[0]) if alert.evidence else None
        if ledger.open(
            alert.key, alert.raised_on, chart.definition.task_days["hrct"], alert.evidence
        ):
            floor = min(pft.on, alert.raised_on) if pft is not None else alert.raised_on
    _close_on_first(ledger, scans, floor, as_of)
    return ledger


def _close_on_first(ledger: TaskLedger, days: list[date], floor: date, until: date) -> None:
    hits = [d for d in days if floor <= d <= until]
    if hits:
        ledger.done(min(hits))


def cmv_test_tasks(chart: Chart, as_of: date) -> TaskLedger:
    """`cmv_test`: opened when intensive immunosuppression begins and again after each CMV
    result while it lasts, due + 7 days; closed by a CMV result; cancelled when intensive
    immunosuppression ends ([S4] CMV reactivation during intensive immunosuppression; §9)."""
    ledger = TaskLedger("cmv_test", chart.definition.version)
    days = chart.definition.task_days["cmv_test"]
    results = chart.observations("cmv", until=as_of)
    for period in chart.periods(chart.intensive_on, as_of):
        ledger.open(period.start.isoformat(), period.start, days)
        seen: set[date] = set()
        for result in results:
            if result.on < period.start or (period.end is not None and result.on >= period.end):
                continue
            if result.on in seen:
                continue
            seen.add(result.on)
            ledger.done(result.on)
            ledger.open(result.id, result.on, days, (result.id,))
        if period.end is not None:
            ledger.cancel(period.end)
    return ledger


TASK_DATES: tuple[Rule, ...] = (pft_tasks,)
"""`pft_tasks` counts the open PFT task's due date with the interval of the day asked's risk
(§8): a task date, which the evaluation lists and the quiet horizon reads there."""
