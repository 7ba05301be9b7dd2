"""Tasks that follow treatment: PJP prophylaxis, bone protection, plasma exchange, transplant
referral (§6, §8)."""

from datetime import date, timedelta

from ...catalogue import BISPHOSPHONATES, AgentClass, agent_class
from ...chart import Chart
from ...record import AlertRaised
from ...window import Window
from .ledger import TaskLedger

__all__ = [
    "WINDOWS",
    "bone_protection_tasks",
    "pjp_prophylaxis_tasks",
    "plasma_exchange_tasks",
    "transplant_referral_tasks",
]

WINDOWS: tuple[Window, ...] = ()
"""None: each task opens on a date of the record (an entry, a raised alert) and its due date
is listed by the evaluation; "the day before" an amendment is counted from the amendment (§8)."""


def pjp_prophylaxis_tasks(chart: Chart, as_of: date) -> TaskLedger:
    """`pjp_prophylaxis` ([S0] TMP-SMX on high-dose corticosteroids; §9 >= 20 mg/day): opened
    when high-dose glucocorticoid exposure begins while no PJP prophylaxis agent is active, due
    + 7 days; done when one starts (TMP-SMX, or atovaquone, dapsone or pentamidine where
    sulfonamides are not tolerated, §8); cancelled when high-dose exposure ends. Declined (§8),
    it opens again only with a new high-dose exposure (the next period)."""
    ledger = TaskLedger.of(chart, "pjp_prophylaxis")
    exposure = chart.exposure

    def uncovered(day: date) -> bool:
        return exposure.high_dose_glucocorticoid_on(day) and not exposure.pjp_covered_on(day)

    for period in chart.periods(uncovered, as_of):
        ledger.open(
            period.start.isoformat(), period.start, chart.definition.task_days["pjp_prophylaxis"]
        )
        if period.end is not None:
            if exposure.pjp_covered_on(period.end):
                ledger.done(period.end)
            else:
                ledger.cancel(period.end)
    return ledger


def bone_protected(chart: Chart, day: date) -> bool:
    """[S0]: calcium and vitamin D, plus a bisphosphonate if osteoporosis."""
    active = chart.exposure.active_on(day)
    if "calcium" not in active or "vitamin_d" not in active:
        return False
    if "osteoporosis" in chart.phenotype(day).flags:
        return bool(BISPHOSPHONATES & active.keys())
    return True


def bone_protection_tasks(chart: Chart, as_of: date) -> TaskLedger:
    """`bone_protection` ([S0] calcium, vitamin D, bisphosphonate if osteoporosis): opened when
    a glucocorticoid starts (not a change of dose) unless already protected, due + 30 days;
    done once protection is complete. Declined (§8), it opens again only with a new
    glucocorticoid start."""
    ledger = TaskLedger.of(chart, "bone_protection")
    enrolled = chart.record.enrolled_on
    starts = [
        s
        for s in chart.exposure.starts
        if agent_class(s.agent) is AgentClass.GLUCOCORTICOID
        and s.on <= as_of
        and (s.on >= enrolled or chart.exposure.is_active(s.agent, enrolled))
    ]
    for day in chart.change_days:
        if day > as_of:
            break
        if ledger.current is not None and bone_protected(chart, day):
            ledger.done(day)
        # a glucocorticoid of prior history still taken at enrolment counts from then (§11)
        for start in (s for s in starts if max(s.on, enrolled) == day):
            if not bone_protected(chart, day):
                ledger.open(
                    start.id, day, chart.definition.task_days["bone_protection"], (start.id,)
                )
    return ledger


def plasma_exchange_tasks(chart: Chart, as_of: date) -> TaskLedger:
    """`plasma_exchange` ([S4] within 2 weeks for refractory anti-MDA5 disease): opened by
    `declare_refractory` in an anti-MDA5 positive patient, due + 14 days from the refractory
    date; done by a plasma exchange on or after it."""
    ledger = TaskLedger("plasma_exchange", chart.definition.version)
    exchanges = sorted(
        p.on for p in chart.record.procedures if p.kind == "plasma_exchange" and p.on <= as_of
    )
    for refractory in chart.course.all_of("declare_refractory"):
        if refractory.on > as_of or not chart.phenotype(refractory.on).mda5_positive:
            continue
        ledger.open(
            refractory.id,
            refractory.on,
            chart.definition.plasma_exchange_window_days,
            (refractory.id,),
        )
        _done_by_first(ledger, exchanges)
    return ledger


def transplant_referral_tasks(
    chart: Chart, as_of: date, alerts: tuple[AlertRaised, ...]
) -> TaskLedger:
    """`transplant_referral`, due the same day ([S4] refer immediately): opened at enrolment
    or at the amendment that makes anti-MDA5 positive, and by TRANSPLANT_REFERRAL_NEEDED;
    done by `refer_transplant`."""
    ledger = TaskLedger("transplant_referral", chart.definition.version)
    referrals = sorted(t.on for t in chart.course.all_of("refer_transplant") if t.on <= as_of)
    days = chart.definition.task_days["transplant_referral"]
    openings: list[tuple[date, str, tuple[str, ...]]] = []
    if chart.phenotype(chart.record.enrolled_on).mda5_positive:
        openings.append((chart.record.enrolled_on, "enrolment", ()))
    for entry in sorted(chart.record.phenotype, key=lambda e: e.on):
        if (
            entry.field == "anti_mda5"
            and entry.value == "positive"
            and entry.on > chart.record.enrolled_on
            and not chart.phenotype(entry.on - timedelta(days=1)).mda5_positive
        ):
            openings.append((entry.on, entry.id, (entry.id,)))
    openings += [
        (a.raised_on, a.key, a.evidence) for a in alerts if a.code == "TRANSPLANT_REFERRAL_NEEDED"
    ]
    for on, anchor, evidence in sorted(openings, key=lambda o: o[0]):
        if on > as_of:
            continue
        _done_by_first(ledger, [r for r in referrals if r <= on])
        ledger.open(anchor, on, days, evidence)
    _done_by_first(ledger, referrals)
    return ledger


def _done_by_first(ledger: TaskLedger, days: list[date]) -> None:
    task = ledger.current
    if task is None:
        return
    hits = [d for d in days if d >= task.opened_on]
    if hits:
        ledger.done(min(hits))
