"""Every code shown to a person, in words: one catalogue for the dashboard, the reports, the CLI
and the refusals.

Codes stay the public interface (API, scenarios, exports, the audit trail); a person reads the
label with the code beside it in small type, so the two can be matched with the documentation.
A code a catalogue of `pathway` knows and this one does not fails the unit tests: a new alert,
task, trigger, state, recommendation or phenotype group cannot reach a screen unlabelled.
A code found under two kinds (``transplant_referral`` is a state and a task) has the same label
under both, so a label asked without its kind is never wrong.
"""

from types import MappingProxyType

from .label_words import AGENTS, FIELDS, PROCEDURES, VACCINATIONS, VALUES

__all__ = [
    "KINDS",
    "LABELS",
    "count",
    "days",
    "field_label",
    "label",
    "labelled",
]

ALERTS = {
    "MDA5_STATUS_UNKNOWN": "Anti-MDA5 status unknown",
    "PROGRESSION_SUSPECTED": "Progression suspected",
    "PLASMA_EXCHANGE_OVERDUE": "Plasma exchange overdue",
    "TRANSPLANT_REFERRAL_NEEDED": "Transplant referral needed",
    "MDA5_STEP_UP_THERAPY": "Anti-MDA5: triple therapy not started together",
    "AVOID_FIRST_LINE_AGENT": "Slow-acting agent at first line",
    "AVOID_AGENT": "Agent to avoid in anti-MDA5",
    "ANTIFIBROTIC_IN_ACUTE_RPILD": "Antifibrotic in acute RP-ILD",
    "PFT_OVERDUE": "PFTs overdue",
    "CMV_MONITORING_OVERDUE": "CMV test overdue",
    "CMV_REACTIVATION": "CMV reactivation",
}

RECOMMENDATIONS = {
    "MDA5_TRIPLE_GC_TAC_CYC": "Triple therapy: glucocorticoid, tacrolimus, cyclophosphamide",
    "MDA5_TRIPLE_GC_TAC_RTX": "Triple therapy: glucocorticoid, tacrolimus, rituximab",
    "MDA5_GC_MMF_CYC": "Glucocorticoid, mycophenolate, cyclophosphamide",
    "ADD_IVIG": "Add IVIG",
    "GC_MMF": "Glucocorticoid and mycophenolate",
    "PULSE_MP_CYC": "Pulse methylprednisolone and cyclophosphamide",
    "PULSE_MP_RTX": "Pulse methylprednisolone and rituximab",
    "ADD_CNI": "Add a calcineurin inhibitor",
    "CONSIDER_JAK": "Consider a JAK inhibitor",
    "PLASMA_EXCHANGE": "Plasma exchange",
}

TASKS = {
    "pft": "Pulmonary function tests",
    "hrct": "HRCT scan",
    "cmv_test": "CMV test",
    "plasma_exchange": "Plasma exchange",
    "transplant_referral": "Transplant referral",
    "pjp_prophylaxis": "PJP prophylaxis",
    "bone_protection": "Bone protection",
    "vaccination_influenza": "Influenza vaccination",
    "vaccination_pneumococcal": "Pneumococcal vaccination",
    "vaccination_covid19": "COVID-19 vaccination",
    "pulmonary_rehabilitation": "Pulmonary rehabilitation",
}

TRIGGERS = {
    "start_induction": "Start induction",
    "achieve_response": "Response achieved",
    "detect_progression": "Progression detected",
    "declare_refractory": "Declare refractory",
    "refer_transplant": "Refer for transplant evaluation",
    "return_from_referral": "Return from transplant referral",
    "close": "Close the pathway",
}

STATES = {
    "diagnosis": "Diagnosis",
    "induction": "Induction",
    "monitoring": "Monitoring",
    "progression": "Progression",
    "salvage": "Salvage",
    "transplant_referral": "Transplant referral",
    "closed": "Closed",
}

PHENOTYPE_GROUPS = {
    "A": "Anti-MDA5 positive",
    "B": "Non-progressive, anti-MDA5 not positive",
    "C": "Progressive or rapidly progressive, anti-MDA5 not positive",
    "unclassified": "Not classified yet: ILD course unknown",
}

_BY_KIND: dict[str, dict[str, str]] = {
    "alert": ALERTS,
    "recommendation": RECOMMENDATIONS,
    "task": TASKS,
    "trigger": TRIGGERS,
    "state": STATES,
    "phenotype_group": PHENOTYPE_GROUPS,
    "field": FIELDS,
    "agent": AGENTS,
    "procedure": PROCEDURES,
    "vaccination": VACCINATIONS,
    "value": VALUES,
}

KINDS: tuple[str, ...] = tuple(_BY_KIND)
"""The kinds of code, in the order a label asked without its kind is looked up."""

LABELS = MappingProxyType({kind: MappingProxyType(table) for kind, table in _BY_KIND.items()})
"""kind -> code -> label, read-only."""


def _words(code: str) -> str:
    """A code nobody labelled yet, readable all the same: ``new_code`` -> ``New code``."""
    text = code.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def label(code: object, kind: str | None = None) -> str:
    """The label of ``code`` (of ``kind`` when given); words made from the code otherwise."""
    if code is None:
        return ""
    text = str(code)
    tables = [_BY_KIND[kind]] if kind is not None else _BY_KIND.values()
    for table in tables:
        if text in table:
            return table[text]
    return _words(text)


def labelled(code: object, kind: str | None = None) -> str:
    """Label and code as plain text, for a terminal or a message: ``CMV test (cmv_test)``."""
    if code is None or code == "":
        return ""
    return f"{label(code, kind)} ({code})"


def field_label(field: str) -> str:
    """A form field as the form labels it; a dotted path (``observation.fvc_pct``) by its last
    part."""
    return label(field.rsplit(".", 1)[-1], "field")


def count(n: int, one: str, many: str | None = None) -> str:
    """``1 day``, ``3 days``, ``0 days``: the number with its noun agreeing."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def days(n: int) -> str:
    return count(n, "day")
