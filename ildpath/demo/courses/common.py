"""Phenotypes and presentations shared by the archetypes (CLINICAL_SPEC §1)."""

from ..course import Course

__all__ = [
    "REFERRAL_OUTCOMES",
    "REFER_MDA5",
    "mda5_positive",
    "non_mda5",
    "non_progressive",
    "some_risk_factors",
]

REFER_MDA5 = "anti-MDA5 positive ILD: early lung transplant evaluation [S4]"
REFERRAL_OUTCOMES = ("declined", "not_eligible", "listed_continue_treatment")


def some_risk_factors(course: Course, probability: float = 0.15) -> tuple[str, ...]:
    """[S0] risk factors for progression, each with ``probability``; osteoporosis for some."""
    flags = [
        flag
        for flag in ("extensive_ggo", "bal_neutrophilia", "low_vital_capacity", "active_myositis")
        if course.chance(probability)
    ]
    if course.chance(0.15):
        flags.append("osteoporosis")
    return tuple(flags)


def mda5_positive(course: Course, *, anti_mda5: str = "positive") -> None:
    """Phenotype A [S4]: (amyopathic) dermatomyositis with RP-ILD (some progressive), on
    low-flow oxygen when rapidly progressive."""
    ild_course = "rapidly_progressive" if course.chance(0.85) else "progressive"
    flags = some_risk_factors(course, 0.3)
    course.set_phenotype(
        course.pick(("dermatomyositis", "clinically_amyopathic_dm", "clinically_amyopathic_dm")),
        ild_course,
        anti_mda5=anti_mda5,
        anti_ars="negative",
        risk_factors=flags,
    )
    course.baseline_pft((45, 72), (30, 55))
    if ild_course == "rapidly_progressive":
        course.oxygen(0, "low_flow")


def non_progressive(course: Course, *, low_risk: bool = False) -> None:
    """Phenotype B [S0]: non-progressive ILD; ``low_risk`` patients get 6-monthly PFTs."""
    ars = "negative" if low_risk or course.chance(0.75) else "positive"
    diagnosis = (
        "antisynthetase_syndrome"
        if ars == "positive"
        else course.pick(("polymyositis", "polymyositis", "dermatomyositis", "other_iim"))
    )
    flags: tuple[str, ...] = ("osteoporosis",) if course.chance(0.2) else ()
    if not low_risk:
        flags = some_risk_factors(course, 0.1)
    course.set_phenotype(diagnosis, "non_progressive", anti_ars=ars, risk_factors=flags)
    course.baseline_pft((64, 90), (45, 74))


def non_mda5(course: Course, ild_course: str, *, anti_ars: str | None = None) -> None:
    """Phenotype C [S0]: progressive or rapidly progressive ILD without anti-MDA5."""
    ars = anti_ars or ("positive" if course.chance(0.4) else "negative")
    diagnosis = (
        "antisynthetase_syndrome"
        if ars == "positive"
        else course.pick(("polymyositis", "dermatomyositis", "dermatomyositis", "other_iim"))
    )
    course.set_phenotype(
        diagnosis, ild_course, anti_ars=ars, risk_factors=some_risk_factors(course, 0.2)
    )
    if ild_course == "rapidly_progressive":
        course.baseline_pft((48, 70), (30, 52))
        course.oxygen(0, "low_flow")
    else:
        course.baseline_pft((58, 82), (38, 62))
