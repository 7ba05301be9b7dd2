"""Phenotype A: anti-MDA5 positive ILD [S4] (CLINICAL_SPEC §4, §6, §7)."""

from ..course import Course
from .common import REFER_MDA5, REFERRAL_OUTCOMES, mda5_positive, non_mda5
from .regimens import (
    add_partner,
    prednisone_dose,
    pulse_methylprednisolone,
    referral_round_trip,
    respond,
    switch_cyclophosphamide_to_mmf,
    taper,
    triple_therapy,
)
from .registry import archetype

__all__: list[str] = []

TRIPLE = "simultaneous triple therapy: high-dose glucocorticoid, tacrolimus, {} [S4]"


def _triple_induction(
    course: Course, day: int, third: str = "cyclophosphamide", *, pulse: bool | None = None
) -> int:
    prednisone_from = triple_therapy(course, day, third=third, pulse=pulse)
    course.trigger(day, "start_induction", TRIPLE.format(third))
    return prednisone_from


@archetype(
    "mda5_triple_responder",
    "anti-MDA5 RP-ILD: simultaneous triple therapy, transplant evaluation, response",
    span=(170, 455),
    weight=8,
)
def _triple_responder(c: Course) -> None:
    mda5_positive(c)
    d = c.u(0, 2)
    third = c.pick(("cyclophosphamide", "cyclophosphamide", "rituximab"))
    prednisone_from = _triple_induction(c, d, third)
    referral_round_trip(c, d + c.u(1, 5), REFER_MDA5, REFERRAL_OUTCOMES)
    c.pft_worse(d + c.u(28, 42))
    taper(c, prednisone_from)
    respond(c, c.u(100, 150))
    if third == "cyclophosphamide":
        switch_cyclophosphamide_to_mmf(c, d + c.u(170, 190))
    if c.chance(0.25):
        c.habits.cmv_reactivation = c.u(2, 6)


@archetype(
    "mda5_triple_rtx_induction",
    "anti-MDA5 RP-ILD in induction: glucocorticoid + tacrolimus + rituximab together",
    span=(28, 80),
    weight=3,
)
def _triple_rtx(c: Course) -> None:
    mda5_positive(c)
    d = c.u(0, 2)
    prednisone_from = _triple_induction(c, d, "rituximab")
    referral_round_trip(c, d + c.u(1, 3), REFER_MDA5, REFERRAL_OUTCOMES)
    taper(c, prednisone_from)


@archetype(
    "mda5_step_up",
    "anti-MDA5 ILD treated step by step: cyclophosphamide a week late (step-up pitfall)",
    span=(150, 420),
    weight=3,
)
def _step_up(c: Course) -> None:
    mda5_positive(c)
    d = c.u(0, 2)
    c.start(d, "prednisone", "oral", prednisone_dose(c))
    c.trigger(d, "start_induction", "high-dose prednisone; second and third agents to follow")
    add_partner(c, d + c.u(1, 3), "tacrolimus")
    add_partner(c, d + c.u(6, 14), "cyclophosphamide")
    referral_round_trip(c, d + c.u(2, 6), REFER_MDA5, REFERRAL_OUTCOMES)
    taper(c, d)
    respond(c, c.u(110, 140))


@archetype(
    "mda5_refractory_plasma_exchange",
    "anti-MDA5 refractory to triple therapy: salvage, plasma exchange on time, JAK inhibitor",
    span=(45, 80),
    weight=2,
)
def _refractory_on_time(c: Course) -> None:
    mda5_positive(c)
    d = c.u(0, 2)
    prednisone_from = _triple_induction(c, d, pulse=True)
    back = referral_round_trip(c, d + c.u(1, 3), REFER_MDA5, REFERRAL_OUTCOMES)
    refractory = max(back + 2, c.u(24, 32))
    c.pft_worse(refractory)
    c.trigger(
        refractory,
        "declare_refractory",
        "failure to respond to triple therapy: rising oxygen need, new consolidation on HRCT",
    )
    add_partner(c, refractory + c.u(1, 5), "tofacitinib")
    taper(c, prednisone_from, until=refractory)
    c.habits.cmv_reactivation = c.u(2, 4)


@archetype(
    "mda5_life_threatening_late_exchange",
    "anti-MDA5 life-threatening at presentation: salvage at once, plasma exchange late",
    span=(100, 455),
    weight=2,
)
def _life_threatening(c: Course) -> None:
    mda5_positive(c)
    prednisone_from = triple_therapy(c, 0, pulse=True)
    c.trigger(0, "declare_refractory", "life-threatening disease at presentation [S4]")
    referral_round_trip(c, c.u(1, 4), REFER_MDA5, REFERRAL_OUTCOMES)
    c.habits.late_plasma_exchange = True
    taper(c, prednisone_from)
    respond(c, c.u(60, 90), "; weaned off oxygen")


@archetype(
    "mda5_high_flow_referral",
    "anti-MDA5 RP-ILD on high-flow oxygen: referred for lung transplant, evaluation pending",
    span=(18, 50),
    weight=2,
)
def _high_flow(c: Course) -> None:
    mda5_positive(c)
    d = c.u(0, 1)
    prednisone_from = _triple_induction(c, d, pulse=True)
    high = c.u(5, min(12, c.span - 4))
    c.oxygen(high, "high_flow")
    c.trigger(
        high + c.u(0, 2), "refer_transplant", "high-flow oxygen: urgent lung transplant evaluation"
    )
    taper(c, prednisone_from)


@archetype(
    "mda5_transplanted",
    "anti-MDA5 refractory, high-flow then ventilation: lung transplantation (closed)",
    span=(130, 455),
    weight=1,
)
def _transplanted(c: Course) -> None:
    mda5_positive(c)
    d = c.u(0, 1)
    prednisone_from = _triple_induction(c, d, pulse=True)
    back = referral_round_trip(
        c, d + c.u(1, 4), REFER_MDA5, ("listed_continue_treatment", "listed_continue_treatment")
    )
    refractory = back + c.u(3, 10)
    c.pft_worse(refractory)
    c.trigger(refractory, "declare_refractory", "failure to respond to triple therapy")
    taper(c, prednisone_from, until=refractory)
    high = refractory + c.u(5, 15)
    c.oxygen(high, "high_flow")
    c.trigger(
        high + c.u(0, 1), "refer_transplant", "high-flow oxygen despite salvage; listed, urgent"
    )
    c.oxygen(high + c.u(2, 8), "mechanical_ventilation")
    c.trigger(
        high + c.u(20, 60),
        "close",
        "bilateral lung transplantation",
        closing_reason="transplanted",
    )


@archetype(
    "mda5_deceased",
    "anti-MDA5 refractory RP-ILD, not eligible for transplant: died (closed)",
    span=(70, 455),
    weight=2,
)
def _deceased(c: Course) -> None:
    mda5_positive(c)
    d = c.u(0, 1)
    prednisone_from = _triple_induction(c, d, pulse=True)
    back = referral_round_trip(c, d + c.u(1, 4), REFER_MDA5, ("not_eligible", "declined"))
    refractory = back + c.u(2, 6)
    c.pft_worse(refractory)
    c.trigger(refractory, "declare_refractory", "progressive hypoxaemia despite triple therapy")
    taper(c, prednisone_from, until=refractory)
    high = refractory + c.u(3, 8)
    c.oxygen(high, "high_flow")
    if c.chance(0.5):
        c.trigger(high + 1, "refer_transplant", "high-flow oxygen: re-referral for evaluation")
        c.trigger(
            high + c.u(3, 5),
            "return_from_referral",
            "not eligible: multiorgan involvement",
            outcome="not_eligible",
        )
    c.oxygen(high + c.u(6, 7), "mechanical_ventilation")
    c.trigger(
        high + c.u(8, 20),
        "close",
        "died of respiratory failure despite salvage therapy",
        closing_reason="deceased",
    )


@archetype(
    "mda5_outside_first_line_agent",
    "anti-MDA5 ILD referred on methotrexate or azathioprine (avoid at line 1), then triple",
    span=(130, 455),
    weight=2,
)
def _outside_first_line(c: Course) -> None:
    mda5_positive(c)
    agent = c.pick(("methotrexate", "azathioprine"))
    c.start(0, agent, "oral", 15.0 if agent == "methotrexate" else 100.0)
    d = c.u(1, 3)
    c.stop(d, agent)
    third = c.pick(("cyclophosphamide", "rituximab"))
    prednisone_from = _triple_induction(c, d, third)
    referral_round_trip(c, d + c.u(1, 4), REFER_MDA5, REFERRAL_OUTCOMES)
    taper(c, prednisone_from)
    respond(c, c.u(100, 130))
    if third == "cyclophosphamide":
        switch_cyclophosphamide_to_mmf(c, d + c.u(170, 190))


@archetype(
    "mda5_outside_biologic",
    "anti-MDA5 ILD referred on a TNF inhibitor, abatacept or tocilizumab (avoid), then triple",
    span=(60, 455),
    weight=2,
)
def _outside_biologic(c: Course) -> None:
    mda5_positive(c)
    agent, route = c.pick(
        (
            ("infliximab", "iv"),
            ("adalimumab", "sc"),
            ("etanercept", "sc"),
            ("certolizumab", "sc"),
            ("golimumab", "sc"),
            ("abatacept", "sc"),
            ("tocilizumab", "iv"),
        )
    )
    c.start(0, agent, route)
    d = c.u(1, 4)
    c.stop(d, agent)
    prednisone_from = _triple_induction(c, d)
    referral_round_trip(c, d + c.u(1, 4), REFER_MDA5, REFERRAL_OUTCOMES)
    taper(c, prednisone_from)
    if c.span >= 140:
        respond(c, c.u(100, 130))


@archetype(
    "mda5_pending_then_positive",
    "RP-ILD with anti-MDA5 pending (status unknown), amended to positive, then triple",
    span=(30, 455),
    weight=3,
)
def _pending_then_positive(c: Course) -> None:
    mda5_positive(c, anti_mda5="pending")
    prednisone_from = pulse_methylprednisolone(c, 0)
    c.trigger(0, "start_induction", "pulse methylprednisolone while anti-MDA5 is pending")
    result = c.u(2, 3)
    c.amend(result, "anti_mda5", "positive", "anti-MDA5 result received: positive")
    third = c.pick(("cyclophosphamide", "rituximab"))
    add_partner(c, result, "tacrolimus")
    add_partner(c, result, third)
    referral_round_trip(c, result + c.u(0, 3), REFER_MDA5, REFERRAL_OUTCOMES)
    taper(c, prednisone_from)
    if c.span >= 140:
        respond(c, c.u(100, 130))


@archetype(
    "rpild_new_antibodies_pending",
    "new RP-ILD referral, anti-MDA5 pending or unknown: work-up (diagnosis)",
    span=(0, 6),
    weight=3,
)
def _new_rpild(c: Course) -> None:
    non_mda5(c, "rapidly_progressive", anti_ars=c.pick(("negative", "pending")))
    c.phenotype["anti_mda5"] = c.pick(("pending", "pending", "unknown"))
    c.phenotype["diagnosis"] = c.pick(("dermatomyositis", "clinically_amyopathic_dm"))
