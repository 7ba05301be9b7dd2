"""Evaluate a patient on a day: what the engine says, as the daily scheduler run would.

One pure function over the record as known at the end of ``as_of``. The caller persists the
alerts it has not raised before (their keys make raising idempotent) and the tasks.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from .chart import Chart
from .definition import PathwayDefinition
from .findings import Alert, CareTask, Proposal, Recommendation
from .lifecycle import Clearing, clearings
from .machine import allowed_triggers
from .record import AlertRaised, PatientRecord
from .rules.monitoring import cmv_reactivation, mda5_status_unknown, overdue_alerts
from .rules.progression import progression_suspected
from .rules.referral import transplant_referral_needed
from .rules.regimens import recommendations
from .rules.safety import safety_alerts
from .rules.tasks import care_tasks

__all__ = ["Evaluation", "evaluate"]


@dataclass(frozen=True)
class Evaluation:
    as_of: date
    state: str
    version: str
    allowed_triggers: tuple[str, ...]
    alerts: tuple[Alert, ...]
    """Alerts whose condition holds on ``as_of`` (raise those not raised before)."""
    tasks: tuple[CareTask, ...]
    recommendations: tuple[Recommendation, ...]
    proposals: tuple[Proposal, ...]
    clearings: tuple[tuple[AlertRaised, Clearing], ...] = ()
    """Raised alerts (those before ``as_of`` and those it raises) whose clearing condition
    (§7a) is met on what is known on ``as_of``."""

    def open_tasks(self) -> list[CareTask]:
        return [t for t in self.tasks if t.is_open(self.as_of)]


def _state_alerts(chart: Chart, day: date, state: str) -> Iterator[Alert]:
    """Alerts judged on the state of things on ``day`` (they may open tasks)."""
    for alert in (mda5_status_unknown(chart, day), transplant_referral_needed(chart, day)):
        if alert is not None:
            yield alert
    if state == "monitoring":
        evidence = progression_suspected(chart, day)
        if evidence is not None:
            ids = tuple(
                dict.fromkeys((evidence.latest.id, *(o.id for o in evidence.compared_with)))
            )
            yield Alert.under(
                chart.definition,
                "PROGRESSION_SUSPECTED",
                f"PROGRESSION_SUSPECTED:{evidence.latest.id}",
                ids,
                evidence.detail,
            )
    yield from cmv_reactivation(chart, day)
    yield from safety_alerts(chart, day)


def _with_raised(
    history: tuple[AlertRaised, ...], alerts: list[Alert], day: date
) -> tuple[AlertRaised, ...]:
    """The alerts that stand (withdrawn ones raise no task, §7a) with those raised on ``day``."""
    standing = tuple(a for a in history if not a.withdrawn)
    known = {a.base_key for a in standing}
    fresh = tuple(AlertRaised(a.code, a.key, day, a.evidence) for a in alerts if a.key not in known)
    return standing + fresh


def _proposals(
    chart: Chart, day: date, state: str, alerts: list[Alert], tasks: list[CareTask]
) -> tuple[Proposal, ...]:
    """§3: detect_progression while PROGRESSION_SUSPECTED holds in monitoring; refer_transplant
    while a transplant_referral task is open."""
    allowed = allowed_triggers(state)
    proposals: list[Proposal] = []
    suspected = next((a for a in alerts if a.code == "PROGRESSION_SUSPECTED"), None)
    if suspected is not None and "detect_progression" in allowed:
        proposals.append(Proposal("detect_progression", suspected.evidence, suspected.detail))
    referral = next((t for t in tasks if t.kind == "transplant_referral" and t.is_open(day)), None)
    if referral is not None and "refer_transplant" in allowed:
        proposals.append(
            Proposal("refer_transplant", referral.evidence, "transplant referral task open")
        )
    return tuple(proposals)


def evaluate(record: PatientRecord, as_of: date, definition: PathwayDefinition) -> Evaluation:
    """What the engine says on ``as_of`` from what was recorded by then (§3-8)."""
    chart = Chart(record.known_on(as_of), definition)
    state = chart.course.state_on(as_of)
    if state == "closed":
        tasks = care_tasks(chart, as_of, chart.record.alerts)
        return Evaluation(as_of, state, definition.version, (), (), tuple(tasks), (), ())
    alerts = list(_state_alerts(chart, as_of, state))
    history = _with_raised(chart.record.alerts, alerts, as_of)
    tasks = care_tasks(chart, as_of, history)
    alerts += overdue_alerts(chart, tasks, as_of)
    raised = _with_raised(history, alerts, as_of)
    return Evaluation(
        as_of=as_of,
        state=state,
        version=definition.version,
        allowed_triggers=allowed_triggers(state),
        alerts=tuple(alerts),
        tasks=tuple(tasks),
        recommendations=tuple(recommendations(chart, as_of)),
        proposals=_proposals(chart, as_of, state, alerts, tasks),
        clearings=tuple(clearings(chart, raised, tasks, as_of)),
    )
