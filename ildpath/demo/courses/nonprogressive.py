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


def _induction(course: Course) -> int:
    day = course.between(2, 10)
    prednisone_from = gc_mmf(course, day)
    course.trigger(day, "start_induction", GC_MMF)
    return prednisone_from


@archetype(
    "pm_ild_responder",
    "non-progressive PM/DM-ILD: prednisone + mycophenolate, response, 6-monthly follow-up",
    span=(130, 455),
    weight=14,
)
def _responder(course: Course) -> None:
    non_progressive(course, low_risk=course.chance(0.7))
    taper(course, _induction(course))
    respond(course, course.between(90, 120))


@archetype(
    "pm_ild_new_referral",
    "non-progressive ILD just referred: baseline PFT, treatment not yet started (diagnosis)",
    span=(0, 12),
    weight=4,
)
def _new_referral(course: Course) -> None:
    non_progressive(course)


@archetype(
    "pm_ild_in_induction",
    "non-progressive ILD in its first months of prednisone + mycophenolate (induction)",
    span=(20, 90),
    weight=5,
)
def _in_induction(course: Course) -> None:
    non_progressive(course)
    taper(course, _induction(course))


@archetype(
    "progression_reinduction",
    "FVC or DLCO decline in monitoring: HRCT, detect_progression, CNI (line 2), response",
    span=(340, 455),
    weight=5,
)
def _reinduction(course: Course) -> None:
    non_progressive(course, low_risk=True)
    prednisone_from = _induction(course)
    respond(course, course.between(90, 110))
    decline = min(course.between(200, 240), course.span - 130)
    taper(course, prednisone_from, until=decline)
    course.pft_decline(decline)
    detected = decline + course.between(10, 16)
    course.trigger(detected, "detect_progression")  # the PFT decline is the evidence (§3)
    reinduction = detected + course.between(2, 7)
    course.start(reinduction, "prednisone", "oral", prednisone_dose(course, 0.75))
    add_partner(course, reinduction, course.pick(("tacrolimus", "tacrolimus", "cyclosporine")))
    course.trigger(
        reinduction, "start_induction", "re-induction (line 2): calcineurin inhibitor added [S0]"
    )
    taper(course, reinduction, from_dose=0.75)
    respond(course, reinduction + course.between(80, 100))


@archetype(
    "progression_awaiting_escalation",
    "relapse in monitoring (PFT decline or clinician's assessment): in progression",
    span=(200, 455),
    weight=4,
)
def _awaiting_escalation(course: Course) -> None:
    if course.chance(0.5):
        non_progressive(course)
        prednisone_from = _induction(course)
    else:
        non_mda5(course, "progressive")
        day = course.between(1, 5)
        prednisone_from = pulse_methylprednisolone(course, day)
        add_partner(
            course,
            day,
            "rituximab" if course.phenotype["anti_ars"] == "positive" else "cyclophosphamide",
        )
        course.trigger(day, "start_induction", "pulse methylprednisolone, then prednisone [S0]")
    if course.chance(0.4):
        course.flag("respiratory_muscle_weakness")
    respond(course, course.between(90, 120))
    detected = course.span - course.between(2, 20)
    taper(course, prednisone_from, until=detected)
    if course.chance(0.5):
        course.pft_decline(detected - course.between(7, 14))
        course.trigger(
            detected, "detect_progression", "PFT decline (FVC or DLCO) confirmed, more dyspnoea"
        )
    else:
        course.hrct(detected, "new consolidation and ground-glass opacities, lower lobes", True)
        course.trigger(
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
def _lost(course: Course) -> None:
    non_progressive(course, low_risk=True)
    prednisone_from = _induction(course)
    responded = respond(course, course.between(90, 110))
    absent = responded + course.between(20, 60)
    course.habits.absent_from = course.date_of(absent)
    taper(course, prednisone_from, until=absent)
    course.trigger(
        responded + course.between(200, 240),
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
def _transferred(course: Course) -> None:
    non_progressive(course)
    prednisone_from = _induction(course)
    leaves = course.between(40, min(course.span, 300))
    taper(course, prednisone_from, until=leaves)
    if leaves > 120:
        respond(course, course.between(90, 110))
    course.trigger(
        leaves,
        "close",
        "moved out of the region; care transferred to the local ILD clinic",
        closing_reason="transferred",
    )
