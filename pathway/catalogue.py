"""The vocabulary the engine knows (CLINICAL_SPEC §11): agents and their classes, procedures,
vaccinations, oxygen requirements, phenotype values. Anything not listed here is refused."""

from enum import StrEnum

__all__ = [
    "AGENT_CLASS",
    "ANTI_BODY_STATUSES",
    "BISPHOSPHONATES",
    "CLOSING_REASONS",
    "DIAGNOSES",
    "HIGH_OXYGEN",
    "ILD_COURSES",
    "IMMUNOSUPPRESSIVE_CLASSES",
    "OXYGEN_REQUIREMENTS",
    "PHENOTYPE_FLAGS",
    "PJP_PROPHYLAXIS",
    "PROCEDURES",
    "REFERRAL_OUTCOMES",
    "RISK_FACTORS",
    "ROUTES",
    "SEXES",
    "VACCINATIONS",
    "AgentClass",
    "agent_class",
]


class AgentClass(StrEnum):
    GLUCOCORTICOID = "glucocorticoid"
    CALCINEURIN_INHIBITOR = "calcineurin_inhibitor"
    ANTIMETABOLITE = "antimetabolite"
    ALKYLATING = "alkylating"
    ANTI_CD20 = "anti_cd20"
    IMMUNOGLOBULIN = "immunoglobulin"
    JAK_INHIBITOR = "jak_inhibitor"
    TNF_INHIBITOR = "tnf_inhibitor"
    OTHER_BIOLOGIC_TO_AVOID = "other_biologic_to_avoid"
    ANTIFIBROTIC = "antifibrotic"
    SUPPORTIVE = "supportive"


_CLASSES: dict[AgentClass, tuple[str, ...]] = {
    AgentClass.GLUCOCORTICOID: ("methylprednisolone", "prednisone", "prednisolone"),
    AgentClass.CALCINEURIN_INHIBITOR: ("tacrolimus", "cyclosporine"),
    AgentClass.ANTIMETABOLITE: (
        "mycophenolate_mofetil",
        "azathioprine",
        "methotrexate",
        "leflunomide",
    ),
    AgentClass.ALKYLATING: ("cyclophosphamide",),
    AgentClass.ANTI_CD20: ("rituximab",),
    AgentClass.IMMUNOGLOBULIN: ("ivig",),
    AgentClass.JAK_INHIBITOR: ("tofacitinib", "baricitinib", "upadacitinib", "ruxolitinib"),
    AgentClass.TNF_INHIBITOR: (
        "infliximab",
        "adalimumab",
        "etanercept",
        "certolizumab",
        "golimumab",
    ),
    AgentClass.OTHER_BIOLOGIC_TO_AVOID: ("abatacept", "tocilizumab"),
    AgentClass.ANTIFIBROTIC: ("nintedanib", "pirfenidone"),
    AgentClass.SUPPORTIVE: (
        "tmp_smx",
        "atovaquone",
        "dapsone",
        "pentamidine",
        "calcium",
        "vitamin_d",
        "alendronate",
        "risedronate",
        "zoledronic_acid",
    ),
}

AGENT_CLASS: dict[str, AgentClass] = {
    agent: cls for cls, agents in _CLASSES.items() for agent in agents
}

IMMUNOSUPPRESSIVE_CLASSES: frozenset[AgentClass] = frozenset(
    {
        AgentClass.GLUCOCORTICOID,
        AgentClass.CALCINEURIN_INHIBITOR,
        AgentClass.ANTIMETABOLITE,
        AgentClass.ALKYLATING,
        AgentClass.ANTI_CD20,
        AgentClass.IMMUNOGLOBULIN,
        AgentClass.JAK_INHIBITOR,
    }
)
"""§3: the classes that count as immunosuppressive for `start_induction` and CMV_REACTIVATION."""

BISPHOSPHONATES: frozenset[str] = frozenset({"alendronate", "risedronate", "zoledronic_acid"})

PJP_PROPHYLAXIS: frozenset[str] = frozenset({"tmp_smx", "atovaquone", "dapsone", "pentamidine"})
"""§8/§11: the agents that give PJP prophylaxis (TMP-SMX, or one of the three alternatives when
sulfonamides are not tolerated); any of them closes the `pjp_prophylaxis` task."""

ROUTES: tuple[str, ...] = ("iv", "oral", "sc", "im", "inhaled")
PROCEDURES: tuple[str, ...] = ("plasma_exchange", "pulmonary_rehabilitation")
VACCINATIONS: tuple[str, ...] = ("influenza", "pneumococcal", "covid19")
OXYGEN_REQUIREMENTS: tuple[str, ...] = (
    "none",
    "low_flow",
    "high_flow",
    "mechanical_ventilation",
    "ecmo",
)
HIGH_OXYGEN: frozenset[str] = frozenset({"high_flow", "mechanical_ventilation", "ecmo"})
"""§6: oxygen requirements that call for transplant referral."""

SEXES: tuple[str, ...] = ("female", "male", "other", "unknown")
DIAGNOSES: tuple[str, ...] = (
    "polymyositis",
    "dermatomyositis",
    "clinically_amyopathic_dm",
    "antisynthetase_syndrome",
    "other_iim",
)
ANTI_BODY_STATUSES: tuple[str, ...] = ("positive", "negative", "pending", "unknown")
ILD_COURSES: tuple[str, ...] = ("non_progressive", "progressive", "rapidly_progressive")
RISK_FACTORS: frozenset[str] = frozenset(
    {"extensive_ggo", "bal_neutrophilia", "low_vital_capacity", "active_myositis"}
)
"""§1 [S0]: risk factors for progression and recurrence (they make the PFT interval 3 months)."""

PHENOTYPE_FLAGS: tuple[str, ...] = (
    *sorted(RISK_FACTORS),
    "respiratory_muscle_weakness",
    "osteoporosis",
)
CLOSING_REASONS: tuple[str, ...] = ("deceased", "transferred", "transplanted", "lost_to_follow_up")
REFERRAL_OUTCOMES: tuple[str, ...] = ("declined", "not_eligible", "listed_continue_treatment")


def agent_class(agent: str) -> AgentClass:
    """The class of a known agent; raises KeyError for an unknown one (callers validate)."""
    return AGENT_CLASS[agent]
