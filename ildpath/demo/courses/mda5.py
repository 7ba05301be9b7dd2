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
def _triple_responder(course: Course) -> None:
    mda5_positive(course)
    day = course.between(0, 2)
    third = course.pick(("cyclophosphamide", "cyclophosphamide", "rituximab"))
    prednisone_from = _triple_induction(course, day, third)
    referral_round_trip(course, day + course.between(1, 5), REFER_MDA5, REFERRAL_OUTCOMES)
    course.pft_worse(day + course.between(28, 42))
    taper(course, prednisone_from)
    respond(course, course.between(100, 150))
    if third == "cyclophosphamide":
        switch_cyclophosphamide_to_mmf(course, day + course.between(170, 190))
    if course.chance(0.25):
        course.habits.cmv_reactivation = course.between(2, 6)


@archetype(
    "mda5_triple_rtx_induction",
    "anti-MDA5 RP-ILD in induction: glucocorticoid + tacrolimus + rituximab together",
    span=(28, 80),
    weight=3,
)
def _triple_rtx(course: Course) -> None:
    mda5_positive(course)
    day = course.between(0, 2)
    prednisone_from = _triple_induction(course, day, "rituximab")
    referral_round_trip(course, day + course.between(1, 3), REFER_MDA5, REFERRAL_OUTCOMES)
    taper(course, prednisone_from)


@archetype(
    "mda5_step_up",
    "anti-MDA5 ILD treated step by step: cyclophosphamide a week late (step-up pitfall)",
    span=(150, 420),
    weight=3,
)
def _step_up(course: Course) -> None:
    mda5_positive(course)
    day = course.between(0, 2)
    course.start(day, "prednisone", "oral", prednisone_dose(course))
    course.trigger(
        day, "start_induction", "high-dose prednisone; second and third agents to follow"
    )
    add_partner(course, day + course.between(1, 3), "tacrolimus")
    add_partner(course, day + course.between(6, 14), "cyclophosphamide")
    referral_round_trip(course, day + course.between(2, 6), REFER_MDA5, REFERRAL_OUTCOMES)
    taper(course, day)
    respond(course, course.between(110, 140))


@archetype(
    "mda5_refractory_plasma_exchange",
    "anti-MDA5 refractory to triple therapy: salvage, plasma exchange on time, JAK inhibitor",
    span=(45, 80),
    weight=2,
)
def _refractory_on_time(course: Course) -> None:
    mda5_positive(course)
    day = course.between(0, 2)
    prednisone_from = _triple_induction(course, day, pulse=True)
    returned = referral_round_trip(
        course, day + course.between(1, 3), REFER_MDA5, REFERRAL_OUTCOMES
    )
    refractory = max(returned + 2, course.between(24, 32))
    course.pft_worse(refractory)
    course.trigger(
        refractory,
        "declare_refractory",
        "failure to respond to triple therapy: rising oxygen need, new consolidation on HRCT",
    )
    add_partner(course, refractory + course.between(1, 5), "tofacitinib")
    taper(course, prednisone_from, until=refractory)
    course.habits.cmv_reactivation = course.between(2, 4)


@archetype(
    "mda5_life_threatening_late_exchange",
    "anti-MDA5 life-threatening at presentation: salvage at once, plasma exchange late",
    span=(100, 455),
    weight=2,
)
def _life_threatening(course: Course) -> None:
    mda5_positive(course)
    prednisone_from = triple_therapy(course, 0, pulse=True)
    course.trigger(0, "declare_refractory", "life-threatening disease at presentation [S4]")
    referral_round_trip(course, course.between(1, 4), REFER_MDA5, REFERRAL_OUTCOMES)
    course.habits.late_plasma_exchange = True
    taper(course, prednisone_from)
    respond(course, course.between(60, 90), "; weaned off oxygen")


@archetype(
    "mda5_high_flow_referral",
    "anti-MDA5 RP-ILD on high-flow oxygen: referred for lung transplant, evaluation pending",
    span=(18, 50),
    weight=2,
)
def _high_flow(course: Course) -> None:
    mda5_positive(course)
    day = course.between(0, 1)
    prednisone_from = _triple_induction(course, day, pulse=True)
    high_flow = course.between(5, min(12, course.span - 4))
    course.oxygen(high_flow, "high_flow")
    course.trigger(
        high_flow + course.between(0, 2),
        "refer_transplant",
        "high-flow oxygen: urgent lung transplant evaluation",
    )
    taper(course, prednisone_from)


@archetype(
    "mda5_transplanted",
    "anti-MDA5 refractory, high-flow then ventilation: lung transplantation (closed)",
    span=(130, 455),
    weight=1,
)
def _transplanted(course: Course) -> None:
    mda5_positive(course)
    day = course.between(0, 1)
    prednisone_from = _triple_induction(course, day, pulse=True)
    returned = referral_round_trip(
        course,
        day + course.between(1, 4),
        REFER_MDA5,
        ("listed_continue_treatment", "listed_continue_treatment"),
    )
    refractory = returned + course.between(3, 10)
    course.pft_worse(refractory)
    course.trigger(refractory, "declare_refractory", "failure to respond to triple therapy")
    taper(course, prednisone_from, until=refractory)
    high_flow = refractory + course.between(5, 15)
    course.oxygen(high_flow, "high_flow")
    course.trigger(
        high_flow + course.between(0, 1),
        "refer_transplant",
        "high-flow oxygen despite salvage; listed, urgent",
    )
    course.oxygen(high_flow + course.between(2, 8), "mechanical_ventilation")
    course.trigger(
        high_flow + course.between(20, 60),
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
def _deceased(course: Course) -> None:
    mda5_positive(course)
    day = course.between(0, 1)
    prednisone_from = _triple_induction(course, day, pulse=True)
    returned = referral_round_trip(
        course, day + course.between(1, 4), REFER_MDA5, ("not_eligible", "declined")
    )
    refractory = returned + course.between(2, 6)
    course.pft_worse(refractory)
    course.trigger(
        refractory, "declare_refractory", "progressive hypoxaemia despite triple therapy"
    )
    taper(course, prednisone_from, until=refractory)
    high_flow = refractory + course.between(3, 8)
    course.oxygen(high_flow, "high_flow")
    if course.chance(0.5):
        course.trigger(
            high_flow + 1, "refer_transplant", "high-flow oxygen: re-referral for evaluation"
        )
        course.trigger(
            high_flow + course.between(3, 5),
            "return_from_referral",
            "not eligible: multiorgan involvement",
            outcome="not_eligible",
        )
    course.oxygen(high_flow + course.between(6, 7), "mechanical_ventilation")
    course.trigger(
        high_flow + course.between(8, 20),
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
def _outside_first_line(course: Course) -> None:
    mda5_positive(course)
    agent = course.pick(("methotrexate", "azathioprine"))
    course.start(0, agent, "oral", 15.0 if agent == "methotrexate" else 100.0)
    day = course.between(1, 3)
    course.stop(day, agent)
    third = course.pick(("cyclophosphamide", "rituximab"))
    prednisone_from = _triple_induction(course, day, third)
    referral_round_trip(course, day + course.between(1, 4), REFER_MDA5, REFERRAL_OUTCOMES)
    taper(course, prednisone_from)
    respond(course, course.between(100, 130))
    if third == "cyclophosphamide":
        switch_cyclophosphamide_to_mmf(course, day + course.between(170, 190))


@archetype(
    "mda5_outside_biologic",
    "anti-MDA5 ILD referred on a TNF inhibitor, abatacept or tocilizumab (avoid), then triple",
    span=(60, 455),
    weight=2,
)
def _outside_biologic(course: Course) -> None:
    mda5_positive(course)
    agent, route = course.pick(
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
    course.start(0, agent, route)
    day = course.between(1, 4)
    course.stop(day, agent)
    prednisone_from = _triple_induction(course, day)
    referral_round_trip(course, day + course.between(1, 4), REFER_MDA5, REFERRAL_OUTCOMES)
    taper(course, prednisone_from)
    if course.span >= 140:
        respond(course, course.between(100, 130))


@archetype(
    "mda5_pending_then_positive",
    "RP-ILD with anti-MDA5 pending (status unknown), amended to positive, then triple",
    span=(30, 455),
    weight=3,
)
def _pending_then_positive(course: Course) -> None:
    mda5_positive(course, anti_mda5="pending")
    prednisone_from = pulse_methylprednisolone(course, 0)
    course.trigger(0, "start_induction", "pulse methylprednisolone while anti-MDA5 is pending")
    result = course.between(2, 3)
    course.amend(result, "anti_mda5", "positive", "anti-MDA5 result received: positive")
    third = course.pick(("cyclophosphamide", "rituximab"))
    add_partner(course, result, "tacrolimus")
    add_partner(course, result, third)
    referral_round_trip(course, result + course.between(0, 3), REFER_MDA5, REFERRAL_OUTCOMES)
    taper(course, prednisone_from)
    if course.span >= 140:
        respond(course, course.between(100, 130))


@archetype(
    "rpild_new_antibodies_pending",
    "new RP-ILD referral, anti-MDA5 pending or unknown: work-up (diagnosis)",
    span=(0, 6),
    weight=3,
)
def _new_rpild(course: Course) -> None:
    non_mda5(course, "rapidly_progressive", anti_ars=course.pick(("negative", "pending")))
    course.phenotype["anti_mda5"] = course.pick(("pending", "pending", "unknown"))
    course.phenotype["diagnosis"] = course.pick(("dermatomyositis", "clinically_amyopathic_dm"))
