"""The public codes of CLINICAL_SPEC with their severity, message and source.

Codes are a public interface (reports, scenario runner, API): they are spelled here once. An
alert's or recommendation's message that states a configurable number names it as a field of
the pathway definition, ``{plasma_exchange_window_days}``, filled in where the finding is made
(`findings.worded`): a clinic that changes the number reads its own number. Task messages state
none: the dashboard and exports read them as they are.
"""

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "ALERTS",
    "RECOMMENDATIONS",
    "TASKS",
    "CodeInfo",
    "Severity",
]


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


@dataclass(frozen=True)
class CodeInfo:
    code: str
    severity: Severity
    message: str
    source: str


def _table(rows: list[tuple[str, Severity, str, str]]) -> dict[str, CodeInfo]:
    return {code: CodeInfo(code, sev, msg, src) for code, sev, msg, src in rows}


_W, _C, _I = Severity.WARNING, Severity.CRITICAL, Severity.INFO

ALERTS: dict[str, CodeInfo] = _table(
    [
        (
            "MDA5_STATUS_UNKNOWN",
            _W,
            "Anti-MDA5 status is pending or unknown in rapidly progressive ILD: the choice "
            "between triple therapy (anti-MDA5 positive) and pulse methylprednisolone regimens "
            "depends on it.",
            "S4; CLINICAL_SPEC §4",
        ),
        (
            "PROGRESSION_SUSPECTED",
            _W,
            "Latest PFT shows FVC or DLCO decline meeting the progression criterion: consider HRCT "
            "and whether to record that progression is detected.",
            "S0; §9 Progression (ATS/ERS/JRS/ALAT 2022)",
        ),
        (
            "PLASMA_EXCHANGE_OVERDUE",
            _C,
            "Refractory anti-MDA5 disease: no plasma exchange recorded within "
            "{plasma_exchange_window_days} days of the refractory date.",
            "S4; §9 Windows",
        ),
        (
            "TRANSPLANT_REFERRAL_NEEDED",
            _C,
            "High-flow oxygen, mechanical ventilation or ECMO recorded and no transplant referral "
            "since: refer for lung transplantation evaluation.",
            "S4; §9 Transplant referral on high-flow oxygen or ventilation",
        ),
        (
            "MDA5_STEP_UP_THERAPY",
            _C,
            "Anti-MDA5 positive: high-dose glucocorticoid, calcineurin inhibitor or mycophenolate, "
            "and cyclophosphamide or rituximab were not all started within the triple-therapy "
            "window of {triple_therapy_window_days} days (sequential step-up is the common "
            "pitfall).",
            "S4 common pitfall; §9 Windows",
        ),
        (
            "AVOID_FIRST_LINE_AGENT",
            _C,
            "Methotrexate, leflunomide or azathioprine at regimen line 1 in anti-MDA5 positive or "
            "rapidly progressive ILD: they lack rapid action.",
            "S4",
        ),
        (
            "AVOID_AGENT",
            _C,
            "TNF inhibitor, abatacept or tocilizumab in an anti-MDA5 positive patient: no evidence "
            "supports them and TNF inhibitors may worsen ILD.",
            "S4",
        ),
        (
            "ANTIFIBROTIC_IN_ACUTE_RPILD",
            _C,
            "Nintedanib or pirfenidone in acute rapidly progressive ILD: antifibrotics are "
            "inappropriate for acute inflammatory disease.",
            "S4",
        ),
        ("PFT_OVERDUE", _W, "Pulmonary function tests are overdue.", "S0 (PFTs every 3-6 months)"),
        (
            "CMV_MONITORING_OVERDUE",
            _W,
            "CMV test overdue during intensive immunosuppression.",
            "S4; §9 Intensive immunosuppression",
        ),
        (
            "CMV_REACTIVATION",
            _C,
            "CMV DNA detected while on immunosuppression: CMV reactivation.",
            "S4; §9 Intensive immunosuppression",
        ),
    ]
)

RECOMMENDATIONS: dict[str, CodeInfo] = _table(
    [
        (
            "MDA5_TRIPLE_GC_TAC_CYC",
            _I,
            "High-dose glucocorticoid (pulse IV methylprednisolone or high-dose oral prednisone) + "
            "tacrolimus + cyclophosphamide (IV or oral), all started together.",
            "S4",
        ),
        (
            "MDA5_TRIPLE_GC_TAC_RTX",
            _I,
            "Triple therapy with rituximab in place of cyclophosphamide.",
            "S4",
        ),
        (
            "MDA5_GC_MMF_CYC",
            _I,
            "Mycophenolate in place of tacrolimus (tacrolimus preferred for its faster action).",
            "S4",
        ),
        ("ADD_IVIG", _I, "Add IVIG to standard immunosuppression.", "S0; S4"),
        ("GC_MMF", _I, "Corticosteroids (prednisone 1 mg/kg/day) + mycophenolate mofetil.", "S0"),
        (
            "PULSE_MP_CYC",
            _I,
            "Pulse IV methylprednisolone 500-1000 mg daily x 3 days, then high-dose oral "
            "prednisone, + cyclophosphamide (monthly IV pulses).",
            "S0",
        ),
        (
            "PULSE_MP_RTX",
            _I,
            "Pulse IV methylprednisolone then high-dose oral prednisone, + rituximab (particularly "
            "useful with anti-synthetase antibodies; better toxicity profile).",
            "S0",
        ),
        (
            "ADD_CNI",
            _I,
            "Add or switch to a calcineurin inhibitor (cyclosporine or tacrolimus).",
            "S0",
        ),
        (
            "CONSIDER_JAK",
            _I,
            "Consider a JAK inhibitor for refractory disease when other options have failed.",
            "S0; S4",
        ),
        (
            "PLASMA_EXCHANGE",
            _I,
            "Start plasma exchange early (within {plasma_exchange_window_days} days) with "
            "intensive immunosuppression.",
            "S4",
        ),
    ]
)

TASKS: dict[str, CodeInfo] = _table(
    [
        ("pft", _I, "Pulmonary function tests (FVC, DLCO).", "S0 (every 3-6 months)"),
        ("hrct", _I, "HRCT for suspected progression.", "S0"),
        (
            "cmv_test",
            _I,
            "CMV DNA test during intensive immunosuppression.",
            "S4; §9 Intensive immunosuppression",
        ),
        ("plasma_exchange", _I, "Plasma exchange for refractory anti-MDA5 disease.", "S4"),
        ("transplant_referral", _I, "Refer for lung transplantation evaluation.", "S4"),
        (
            "pjp_prophylaxis",
            _I,
            "Start trimethoprim-sulfamethoxazole (Pneumocystis prophylaxis) on high-dose "
            "glucocorticoid; atovaquone, dapsone or inhaled pentamidine if sulfonamides are "
            "not tolerated.",
            "S0; §9 High-dose glucocorticoid",
        ),
        (
            "bone_protection",
            _I,
            "Calcium and vitamin D (and a bisphosphonate if osteoporosis) on glucocorticoids.",
            "S0",
        ),
        ("vaccination_influenza", _I, "Influenza vaccination.", "S0"),
        ("vaccination_pneumococcal", _I, "Pneumococcal vaccination.", "S0"),
        ("vaccination_covid19", _I, "COVID-19 vaccination.", "S0"),
        ("pulmonary_rehabilitation", _I, "Pulmonary rehabilitation.", "S0"),
    ]
)
