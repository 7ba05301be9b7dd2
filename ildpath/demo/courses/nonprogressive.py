"""Phenotype B: non-progressive ILD [S0], and what follows in monitoring: progression,
re-induction, loss to follow-up, transfer (CLINICAL_SPEC §4, §5, §8)."""

from ..course import Course
from .common import non_mda5, non_progressive
from .regimens import (
    add_partner,
    gc_mmf,
    prednisone_dose,
    pulse_methylprednisolone,
    respond,
    taper,
)
from .registry import archetype

__all__: list[str] = []

GC_MMF = "prednisone 1 mg/kg/day + mycophenolate mofetil [S0]"


def _induction(c: Course) -> int:
    d = c.u(2, 10)
    prednisone_from = gc_mmf(c, d)
    c.trigger(d, "start_induction", GC_MMF)
    return prednisone_from


@archetype(
    "pm_ild_responder",
    "non-progressive PM/DM-ILD: prednisone + mycophenolate, response, 6-monthly follow-up",
    span=(130, 455),
    weight=14,
)
def _responder(c: Course) -> None:
    non_progressive(c, low_risk=c.chance(0.7))
    taper(c, _induction(c))
    respond(c, c.u(90, 120))


@archetype(
    "pm_ild_new_referral",
    "non-progressive ILD just referred: baseline PFT, treatment not yet started (diagnosis)",
    span=(0, 12),
    weight=4,
)
def _new_referral(c: Course) -> None:
    non_progressive(c)


@archetype(
    "pm_ild_in_induction",
    "non-progressive ILD in its first months of prednisone + mycophenolate (induction)",
    span=(20, 90),
    weight=5,
)
def _in_induction(c: Course) -> None:
    non_progressive(c)
    taper(c, _induction(c))


@archetype(
    "progression_reinduction",
    "FVC or DLCO decline in monitoring: HRCT, detect_progression, CNI (line 2), response",
    span=(340, 455),
    weight=5,
)
def _reinduction(c: Course) -> None:
    non_progressive(c, low_risk=True)
    prednisone_from = _induction(c)
    respond(c, c.u(90, 110))
    decline = min(c.u(200, 240), c.span - 130)
    taper(c, prednisone_from, until=decline)
    c.pft_decline(decline)
    detected = decline + c.u(10, 16)
    c.trigger(detected, "detect_progression")  # the PFT decline is the evidence (§3)
    again = detected + c.u(2, 7)
    c.start(again, "prednisone", "oral", prednisone_dose(c, 0.75))
    add_partner(c, again, c.pick(("tacrolimus", "tacrolimus", "cyclosporine")))
    c.trigger(again, "start_induction", "re-induction (line 2): calcineurin inhibitor added [S0]")
    taper(c, again, from_dose=0.75)
    respond(c, again + c.u(80, 100))


@archetype(
    "progression_awaiting_escalation",
    "relapse in monitoring (PFT decline or clinician's assessment): in progression",
    span=(200, 455),
    weight=4,
)
def _awaiting_escalation(c: Course) -> None:
    if c.chance(0.5):
        non_progressive(c)
        prednisone_from = _induction(c)
    else:
        non_mda5(c, "progressive")
        d = c.u(1, 5)
        prednisone_from = pulse_methylprednisolone(c, d)
        add_partner(
            c, d, "rituximab" if c.phenotype["anti_ars"] == "positive" else "cyclophosphamide"
        )
        c.trigger(d, "start_induction", "pulse methylprednisolone, then prednisone [S0]")
    if c.chance(0.4):
        c.flag("respiratory_muscle_weakness")
    respond(c, c.u(90, 120))
    detected = c.span - c.u(2, 20)
    taper(c, prednisone_from, until=detected)
    if c.chance(0.5):
        c.pft_decline(detected - c.u(7, 14))
        c.trigger(
            detected, "detect_progression", "PFT decline (FVC or DLCO) confirmed, more dyspnoea"
        )
    else:
        c.hrct(detected, "new consolidation and ground-glass opacities, lower lobes", True)
        c.trigger(
            detected,
            "detect_progression",
            "recurrence: worsening dyspnoea and new consolidation on HRCT (clinical assessment)",
        )


@archetype(
    "lost_to_follow_up",
    "responder who stops attending: PFT overdue, then closed as lost to follow-up",
    span=(360, 455),
    weight=3,
)
def _lost(c: Course) -> None:
    non_progressive(c, low_risk=True)
    prednisone_from = _induction(c)
    responded = respond(c, c.u(90, 110))
    absent = responded + c.u(20, 60)
    c.habits.absent_from = c.day(absent)
    taper(c, prednisone_from, until=absent)
    c.trigger(
        responded + c.u(200, 240),
        "close",
        "did not attend clinic or PFT appointments; unreachable by phone or letter",
        closing_reason="lost_to_follow_up",
    )


@archetype(
    "transferred",
    "myositis-ILD moving out of the region: care transferred (closed)",
    span=(60, 455),
    weight=3,
)
def _transferred(c: Course) -> None:
    non_progressive(c)
    prednisone_from = _induction(c)
    leaves = c.u(40, min(c.span, 300))
    taper(c, prednisone_from, until=leaves)
    if leaves > 120:
        respond(c, c.u(90, 110))
    c.trigger(
        leaves,
        "close",
        "moved out of the region; care transferred to the local ILD clinic",
        closing_reason="transferred",
    )
