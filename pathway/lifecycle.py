"""An alert's life after it is raised (CLINICAL_SPEC §7a): withdrawn within its recording day,
or holding until its clearing condition is met.

Raising at once shows the person entering data what the entry means; but a day's entries come
in any order, and the spec judges a clinical day after all of its events. So until the end of
the day an alert was recorded, an entry for its clinical day that makes its raise condition
false withdraws it (a result, an amendment, a start: the alert was never true of that day), or
clears it when the entry is an action that meets its clearing condition (a stop, a trigger, a
task done: the alert was true, and was acted on). After that day an alert only clears.

Clearing is final and is judged on the record as known, so a board shows which alerts still
hold; a cleared alert still awaits its acknowledgement.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from .catalogue import AgentClass, agent_class
from .chart import Chart
from .findings import CareTask
from .record import AlertRaised, TherapyEvent, TransitionEntry
from .rules.monitoring import OVERDUE_CODES, cmv_above_threshold
from .rules.progression import progression_suspected

__all__ = ["AlertFate", "Clearing", "clearings", "fates", "is_action"]


@dataclass(frozen=True)
class Clearing:
    """The clearing condition met on ``on`` by entry ``by`` (if one entry did it); ``action``
    when that entry was a person acting (a stop, a trigger, a task done), not new data."""

    on: date
    by: str | None
    action: bool


@dataclass(frozen=True)
class AlertFate:
    """What becomes of one raised alert: withdrawn by an entry, or cleared."""

    alert: AlertRaised
    withdrawn_by: str | None = None
    cleared: Clearing | None = None
    uncleared: bool = False
    """A clearing recorded today that the day's later entries undid (§9: a stop and a start
    on one day leave a condition as it was)."""


def is_action(entry: object) -> bool:
    """A person acting (§7a): a trigger fired or an agent stopped. A task closed is an action
    too; the overdue alerts' clearing says so itself."""
    if isinstance(entry, TransitionEntry):
        return True
    return isinstance(entry, TherapyEvent) and entry.action == "stop"


def _first(found: Iterable[Clearing]) -> Clearing | None:
    return min(found, key=lambda c: c.on, default=None)


def _cmv(
    chart: Chart, alert: AlertRaised, as_of: date, tasks: Sequence[CareTask]
) -> Clearing | None:
    """A later CMV result at or below the threshold (a result below a detection limit is)."""
    cause = chart.observation(alert.evidence[0]) if alert.evidence else None
    if cause is None:
        return None
    later = (
        Clearing(r.on, r.id, False)
        for r in chart.observations("cmv", until=as_of)
        if r.on > cause.on and not cmv_above_threshold(r, chart.definition)
    )
    return _first(later)


def _agent_stopped(
    chart: Chart, alert: AlertRaised, as_of: date, tasks: Sequence[CareTask]
) -> Clearing | None:
    """The agent whose start raised the alert is stopped."""
    start = next((t for t in chart.record.therapies if alert.evidence[:1] == (t.id,)), None)
    if start is None:
        return None
    stops = (
        Clearing(t.on, t.id, True)
        for t in chart.record.therapies
        if t.agent == start.agent and t.action == "stop" and start.on <= t.on <= as_of
    )
    return _first(stops)


def _three_groups_active(chart: Chart, day: date) -> bool:
    active = chart.exposure.active_on(day)
    classes = {agent_class(a) for a in active}
    return (
        chart.exposure.high_dose_glucocorticoid_on(day)
        and (AgentClass.CALCINEURIN_INHIBITOR in classes or "mycophenolate_mofetil" in active)
        and bool({"cyclophosphamide", "rituximab"} & active.keys())
    )


def _first_day(
    chart: Chart, alert: AlertRaised, as_of: date, holds: Callable[[date], bool]
) -> Clearing | None:
    """The first change day from the alert's clinical day on which ``holds`` (data: a start,
    an amendment)."""
    for day in chart.change_days:
        if alert.cause_day <= day <= as_of and holds(day):
            return Clearing(day, None, False)
    if alert.cause_day <= as_of and holds(alert.cause_day):
        return Clearing(alert.cause_day, None, False)
    return None


def _step_up(
    chart: Chart, alert: AlertRaised, as_of: date, tasks: Sequence[CareTask]
) -> Clearing | None:
    """All three groups of §7 active."""
    return _first_day(chart, alert, as_of, lambda d: _three_groups_active(chart, d))


def _mda5_known(
    chart: Chart, alert: AlertRaised, as_of: date, tasks: Sequence[CareTask]
) -> Clearing | None:
    """Anti-MDA5 known, or the course no longer rapidly progressive."""

    def known(day: date) -> bool:
        phenotype = chart.phenotype(day)
        return phenotype.anti_mda5 not in {"pending", "unknown"} or not (
            phenotype.rapidly_progressive
        )

    return _first_day(chart, alert, as_of, known)


def _progression(
    chart: Chart, alert: AlertRaised, as_of: date, tasks: Sequence[CareTask]
) -> Clearing | None:
    """`detect_progression` effective (or the patient left monitoring another way), or a later
    PFT after which it no longer holds for the PFT it named."""
    pft = chart.observation(alert.evidence[0]) if alert.evidence else None
    if pft is None:
        return None
    found: list[Clearing] = [
        Clearing(t.on, t.id, True)
        for t in chart.course.until(as_of)
        if t.on >= pft.on and t.source == "monitoring"
    ]
    for later in chart.observations("pft", until=as_of):
        if later.on > pft.on:
            evidence = progression_suspected(chart, later.on)
            if evidence is None or evidence.latest.id != pft.id:
                found.append(Clearing(later.on, later.id, False))
                break
    return _first(found)


def _referred(
    chart: Chart, alert: AlertRaised, as_of: date, tasks: Sequence[CareTask]
) -> Clearing | None:
    """`refer_transplant` effective since the oxygen requirement the alert named."""
    oxygen = chart.observation(alert.evidence[0]) if alert.evidence else None
    since = oxygen.on if oxygen is not None else alert.cause_day
    referrals = (
        Clearing(t.on, t.id, True)
        for t in chart.course.all_of("refer_transplant")
        if since <= t.on <= as_of
    )
    return _first(referrals)


def _task_closed(
    chart: Chart, alert: AlertRaised, as_of: date, tasks: Sequence[CareTask]
) -> Clearing | None:
    """The overdue task done or cancelled: a task closed is an action (§7a)."""
    key = alert.evidence[0] if alert.evidence else None
    for task in tasks:
        if task.key == key and task.closed_on is not None and task.closed_on <= as_of:
            return Clearing(max(task.closed_on, alert.cause_day), None, True)
    return None


def _cause_taken_back(chart: Chart, alert: AlertRaised) -> Clearing | None:
    """Any alert whose cause is corrected away or entered in error clears on the day of the
    correction (§11 Corrections); a correction is data (the same day, it withdraws)."""
    for cited in alert.evidence:
        retraction = chart.record.retraction_of(cited)
        if retraction is not None:
            return Clearing(retraction.recorded_on, retraction.replaced_by or cited, False)
    return None


_Rule = Callable[[Chart, AlertRaised, date, Sequence[CareTask]], Clearing | None]
_CLEARING: dict[str, _Rule] = {
    "CMV_REACTIVATION": _cmv,
    "AVOID_AGENT": _agent_stopped,
    "AVOID_FIRST_LINE_AGENT": _agent_stopped,
    "ANTIFIBROTIC_IN_ACUTE_RPILD": _agent_stopped,
    "MDA5_STEP_UP_THERAPY": _step_up,
    "MDA5_STATUS_UNKNOWN": _mda5_known,
    "PROGRESSION_SUSPECTED": _progression,
    "TRANSPLANT_REFERRAL_NEEDED": _referred,
    **dict.fromkeys(OVERDUE_CODES, _task_closed),
}
"""Each code's clearing condition (§7a "Holds or cleared")."""


def clearings(
    chart: Chart, alerts: Iterable[AlertRaised], tasks: Sequence[CareTask], as_of: date
) -> Iterator[tuple[AlertRaised, Clearing]]:
    """The alerts that still hold (not withdrawn, not cleared before ``as_of``'s recording)
    whose clearing condition is met on the record known on ``as_of``, with when and by what.
    A clearing recorded on ``as_of`` itself is judged again: the day is not over."""
    for alert in alerts:
        if alert.withdrawn or (alert.cleared_on is not None and alert.cleared_recorded_on != as_of):
            continue
        clearing = _cause_taken_back(chart, alert)
        rule = _CLEARING.get(alert.code)
        if clearing is None and rule is not None:
            clearing = rule(chart, alert, as_of, tasks)
        if clearing is not None:
            yield alert, clearing


def fates(
    alerts: Iterable[AlertRaised],
    holding_keys: set[str],
    cleared: dict[str, Clearing],
    today: date,
    written: Sequence[object],
    enrolled_on: date | None = None,
) -> Iterator[AlertFate]:
    """What becomes of each alert after the entries ``written`` today (§7a).

    ``holding_keys``: the keys whose raise condition holds on the record as now known;
    ``cleared``: the clearing met, by alert key. An alert recorded today whose raise condition
    no longer holds after an entry for its clinical day is withdrawn by that entry, unless an
    action of that day meets its clearing condition (then it is cleared). Any other alert whose
    clearing condition is met is cleared. An entry of prior history counts on ``enrolled_on``,
    the day its alerts are dated (§11)."""
    for alert in alerts:
        if alert.withdrawn:
            continue
        clearing = cleared.get(alert.key)
        if alert.cleared_on is not None:
            if alert.cleared_recorded_on == today and clearing is None:
                yield AlertFate(alert, uncleared=True)
            continue
        same_day = [e for e in written if _clinical_day(e, enrolled_on) == alert.cause_day]
        if alert.raised_on == today and same_day and alert.base_key not in holding_keys:
            if clearing is not None and clearing.action and clearing.on == alert.cause_day:
                yield AlertFate(alert, cleared=clearing)
            else:
                yield AlertFate(alert, withdrawn_by=getattr(same_day[-1], "id", None))
        elif clearing is not None:
            yield AlertFate(alert, cleared=clearing)


def _clinical_day(entry: object, enrolled_on: date | None) -> date | None:
    on: date | None = getattr(entry, "on", None)
    if on is None or enrolled_on is None:
        return on
    return max(on, enrolled_on)
