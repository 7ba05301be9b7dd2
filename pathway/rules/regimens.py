"""Recommendations by state (CLINICAL_SPEC §4-6), in the definition's order."""

from datetime import date

from ..chart import Chart
from ..findings import Recommendation
from ..phenotype import Phenotype
from .in_place import in_place_since

__all__ = ["recommendations"]


def initial_regimens(chart: Chart, phenotype: Phenotype) -> tuple[str, ...]:
    """§4 [S4] phenotype A, [S0] phenotypes B and C; anti-ARS moves rituximab first."""
    lists = chart.definition.recommendations
    if phenotype.mda5_positive:
        return lists["mda5_positive"]
    if phenotype.ild_course == "non_progressive":
        return lists["non_progressive"]
    if phenotype.ild_course in {"progressive", "rapidly_progressive"}:
        return lists["progressive_anti_ars" if phenotype.anti_ars_positive else "progressive"]
    return ()


def escalation(chart: Chart, phenotype: Phenotype) -> tuple[str, ...]:
    """§5 [S0]: IVIG first with respiratory muscle weakness, unless anti-ARS positive (CNI)."""
    lists = chart.definition.recommendations
    weak = "respiratory_muscle_weakness" in phenotype.flags
    if weak and not phenotype.anti_ars_positive:
        return lists["escalation_respiratory_muscle_weakness"]
    return lists["escalation"]


def salvage(chart: Chart, phenotype: Phenotype) -> tuple[str, ...]:
    """§6 [S4]: plasma exchange first for anti-MDA5 positive refractory disease."""
    lists = chart.definition.recommendations
    return lists["salvage_mda5_positive" if phenotype.mda5_positive else "salvage"]


def recommendations(chart: Chart, day: date) -> list[Recommendation]:
    """The ordered list for the state on ``day``; none in monitoring, referral or closed."""
    state = chart.course.state_on(day)
    phenotype = chart.phenotype(day)
    if state == "diagnosis":
        codes = initial_regimens(chart, phenotype)
    elif state == "induction":
        line = chart.course.induction_line(day)
        codes = initial_regimens(chart, phenotype) if line == 1 else escalation(chart, phenotype)
    elif state == "progression":
        codes = escalation(chart, phenotype)
    elif state == "salvage":
        codes = salvage(chart, phenotype)
    else:
        codes = ()
    definition = chart.definition
    return [
        Recommendation.under(definition, code, rank, in_place_since(chart, code, day))
        for rank, code in enumerate(codes, 1)
    ]
