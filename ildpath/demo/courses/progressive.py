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


def _pulse_induction(c: Course, day: int, partner: str) -> int:
    """[S0] pulse IV methylprednisolone, then prednisone, + cyclophosphamide or rituximab."""
    prednisone_from = pulse_methylprednisolone(c, day)
    add_partner(c, day, partner)
    c.trigger(day, "start_induction", f"pulse methylprednisolone, then prednisone, + {partner}")
    return prednisone_from


def _partner(c: Course) -> str:
    """Rituximab first with anti-synthetase antibodies [S0]."""
    if c.phenotype["anti_ars"] == "positive" and c.chance(0.75):
        return "rituximab"
    return "cyclophosphamide"


@archetype(
    "ars_positive_rituximab",
    "anti-synthetase progressive ILD: pulse methylprednisolone + rituximab, response",
    span=(120, 455),
    weight=8,
)
def _ars_rituximab(c: Course) -> None:
    non_mda5(c, "progressive", anti_ars="positive")
    taper(c, _pulse_induction(c, c.u(1, 5), "rituximab"))
    respond(c, c.u(90, 120))


@archetype(
    "progressive_cyclophosphamide",
    "progressive ILD, anti-ARS negative: pulse + cyclophosphamide, a CMV test missed, response",
    span=(120, 455),
    weight=8,
)
def _cyclophosphamide(c: Course) -> None:
    non_mda5(c, "progressive", anti_ars="negative")
    d = c.u(1, 5)
    taper(c, _pulse_induction(c, d, "cyclophosphamide"))
    respond(c, c.u(90, 130))
    switch_cyclophosphamide_to_mmf(c, d + c.u(170, 190))
    c.habits.missed_cmv = c.u(2, 5)


@archetype(
    "rpild_in_induction",
    "RP-ILD without anti-MDA5 in induction: pulse methylprednisolone + cyclophosphamide",
    span=(8, 60),
    weight=4,
)
def _rpild_induction(c: Course) -> None:
    non_mda5(c, "rapidly_progressive")
    taper(c, _pulse_induction(c, c.u(0, 2), _partner(c)))


@archetype(
    "refractory_salvage",
    "progressive ILD without anti-MDA5 refractory to induction: salvage with CNI and IVIG",
    span=(50, 130),
    weight=3,
)
def _salvage(c: Course) -> None:
    non_mda5(c, c.pick(("progressive", "rapidly_progressive")))
    prednisone_from = _pulse_induction(c, c.u(0, 3), _partner(c))
    refractory = c.u(30, 45)
    taper(c, prednisone_from, until=refractory)
    c.pft_worse(refractory)
    c.trigger(refractory, "declare_refractory", "failure to respond to pulse methylprednisolone")
    add_partner(c, refractory + c.u(1, 4), c.pick(("tacrolimus", "cyclosporine")))
    if c.chance(0.5):
        add_partner(c, refractory + c.u(3, 5), "ivig")


@archetype(
    "rpild_antifibrotic_started",
    "RP-ILD referred on an antifibrotic (inappropriate when acute), then pulse + CYC",
    span=(100, 455),
    weight=3,
)
def _antifibrotic(c: Course) -> None:
    non_mda5(c, "rapidly_progressive", anti_ars="negative")
    agent = c.pick(("nintedanib", "pirfenidone"))
    c.start(0, agent, "oral", 300.0 if agent == "nintedanib" else 2403.0)
    d = c.u(1, 3)
    c.stop(d, agent)
    taper(c, _pulse_induction(c, d, "cyclophosphamide"))
    responded = respond(c, c.u(90, 120))
    if c.chance(0.3):
        c.start(responded + c.u(30, 90), "nintedanib", "oral", 300.0)  # fibrosis, not acute


@archetype(
    "high_flow_referral_returned",
    "RP-ILD without anti-MDA5 on high-flow oxygen: referred, not listed, back to induction",
    span=(130, 455),
    weight=2,
)
def _high_flow_returned(c: Course) -> None:
    non_mda5(c, "rapidly_progressive")
    prednisone_from = _pulse_induction(c, c.u(0, 2), _partner(c))
    taper(c, prednisone_from)
    high = c.u(7, 20)
    c.oxygen(high, "high_flow")
    referred = high + c.u(0, 2)
    c.trigger(referred, "refer_transplant", "high-flow oxygen: lung transplant evaluation")
    back = referred + c.u(8, 20)
    outcome = c.pick(("not_eligible", "declined", "listed_continue_treatment"))
    c.trigger(back, "return_from_referral", f"evaluation: {outcome}", outcome=outcome)
    c.oxygen(back, "low_flow")
    respond(c, c.u(100, 130))
