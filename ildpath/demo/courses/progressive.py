"""Phenotype C: progressive or rapidly progressive ILD without anti-MDA5 [S0], salvage and
transplant referral on high-flow oxygen (CLINICAL_SPEC §4, §6, §7)."""

from ..course import Course
from .common import non_mda5
from .regimens import (
    add_partner,
    pulse_methylprednisolone,
    respond,
    switch_cyclophosphamide_to_mmf,
    taper,
)
from .registry import archetype

__all__: list[str] = []


def _pulse_induction(course: Course, day: int, partner: str) -> int:
    """[S0] pulse IV methylprednisolone, then prednisone, + cyclophosphamide or rituximab."""
    prednisone_from = pulse_methylprednisolone(course, day)
    add_partner(course, day, partner)
    course.trigger(
        day, "start_induction", f"pulse methylprednisolone, then prednisone, + {partner}"
    )
    return prednisone_from


def _partner(course: Course) -> str:
    """Rituximab first with anti-synthetase antibodies [S0]."""
    if course.phenotype["anti_ars"] == "positive" and course.chance(0.75):
        return "rituximab"
    return "cyclophosphamide"


@archetype(
    "ars_positive_rituximab",
    "anti-synthetase progressive ILD: pulse methylprednisolone + rituximab, response",
    span=(120, 455),
    weight=8,
)
def _ars_rituximab(course: Course) -> None:
    non_mda5(course, "progressive", anti_ars="positive")
    taper(course, _pulse_induction(course, course.between(1, 5), "rituximab"))
    respond(course, course.between(90, 120))


@archetype(
    "progressive_cyclophosphamide",
    "progressive ILD, anti-ARS negative: pulse + cyclophosphamide, a CMV test missed, response",
    span=(120, 455),
    weight=8,
)
def _cyclophosphamide(course: Course) -> None:
    non_mda5(course, "progressive", anti_ars="negative")
    day = course.between(1, 5)
    taper(course, _pulse_induction(course, day, "cyclophosphamide"))
    respond(course, course.between(90, 130))
    switch_cyclophosphamide_to_mmf(course, day + course.between(170, 190))
    course.habits.missed_cmv = course.between(2, 5)


@archetype(
    "rpild_in_induction",
    "RP-ILD without anti-MDA5 in induction: pulse methylprednisolone + cyclophosphamide",
    span=(8, 60),
    weight=4,
)
def _rpild_induction(course: Course) -> None:
    non_mda5(course, "rapidly_progressive")
    taper(course, _pulse_induction(course, course.between(0, 2), _partner(course)))


@archetype(
    "refractory_salvage",
    "progressive ILD without anti-MDA5 refractory to induction: salvage with CNI and IVIG",
    span=(50, 130),
    weight=3,
)
def _salvage(course: Course) -> None:
    non_mda5(course, course.pick(("progressive", "rapidly_progressive")))
    prednisone_from = _pulse_induction(course, course.between(0, 3), _partner(course))
    refractory = course.between(30, 45)
    taper(course, prednisone_from, until=refractory)
    course.pft_worse(refractory)
    course.trigger(
        refractory, "declare_refractory", "failure to respond to pulse methylprednisolone"
    )
    add_partner(
        course, refractory + course.between(1, 4), course.pick(("tacrolimus", "cyclosporine"))
    )
    if course.chance(0.5):
        add_partner(course, refractory + course.between(3, 5), "ivig")


@archetype(
    "rpild_antifibrotic_started",
    "RP-ILD referred on an antifibrotic (inappropriate when acute), then pulse + CYC",
    span=(100, 455),
    weight=3,
)
def _antifibrotic(course: Course) -> None:
    non_mda5(course, "rapidly_progressive", anti_ars="negative")
    agent = course.pick(("nintedanib", "pirfenidone"))
    course.start(0, agent, "oral", 300.0 if agent == "nintedanib" else 2403.0)
    day = course.between(1, 3)
    course.stop(day, agent)
    taper(course, _pulse_induction(course, day, "cyclophosphamide"))
    responded = respond(course, course.between(90, 120))
    if course.chance(0.3):  # for fibrosis, once the acute disease is over
        course.start(responded + course.between(30, 90), "nintedanib", "oral", 300.0)


@archetype(
    "high_flow_referral_returned",
    "RP-ILD without anti-MDA5 on high-flow oxygen: referred, not listed, back to induction",
    span=(130, 455),
    weight=2,
)
def _high_flow_returned(course: Course) -> None:
    non_mda5(course, "rapidly_progressive")
    prednisone_from = _pulse_induction(course, course.between(0, 2), _partner(course))
    taper(course, prednisone_from)
    high_flow = course.between(7, 20)
    course.oxygen(high_flow, "high_flow")
    referred = high_flow + course.between(0, 2)
    course.trigger(referred, "refer_transplant", "high-flow oxygen: lung transplant evaluation")
    returned = referred + course.between(8, 20)
    outcome = course.pick(("not_eligible", "declined", "listed_continue_treatment"))
    course.trigger(returned, "return_from_referral", f"evaluation: {outcome}", outcome=outcome)
    course.oxygen(returned, "low_flow")
    respond(course, course.between(100, 130))
