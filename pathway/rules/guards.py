"""Clinical guards of the triggers (CLINICAL_SPEC §3): each names what is missing."""

from dataclasses import dataclass
from datetime import date

from ..catalogue import CLOSING_REASONS, REFERRAL_OUTCOMES
from ..chart import Chart
from ..labels import labelled
from .progression import progression_suspected

__all__ = ["TriggerRequest", "guard_failures"]


@dataclass(frozen=True)
class TriggerRequest:
    trigger: str
    on: date
    reason: str | None = None
    outcome: str | None = None
    closing_reason: str | None = None

    @property
    def has_reason(self) -> bool:
        return bool(self.reason and self.reason.strip())


def guard_failures(chart: Chart, request: TriggerRequest) -> list[str]:
    """What is missing for ``request`` on the record known now; empty when the guard holds."""
    check = _GUARDS.get(request.trigger)
    return check(chart, request) if check else []


def _start_induction(chart: Chart, request: TriggerRequest) -> list[str]:
    missing = []
    if not chart.exposure.immunosuppressed_on(request.on):
        missing.append(
            f"no immunosuppressive agent (glucocorticoid, calcineurin inhibitor, antimetabolite, "
            f"alkylating, anti-CD20, immunoglobulin or JAK inhibitor) is active on {request.on}"
        )
    state = chart.course.state_on(request.on)
    if state == "diagnosis" and chart.phenotype(request.on).ild_course is None:
        missing.append(
            "the ILD course at presentation (non_progressive, progressive, rapidly_progressive) "
            "is not known"
        )
    return missing


def _detect_progression(chart: Chart, request: TriggerRequest) -> list[str]:
    if request.has_reason or progression_suspected(chart, request.on) is not None:
        return []
    return [
        f"{labelled('PROGRESSION_SUSPECTED', 'alert')} does not hold on the PFTs known on "
        f"{request.on}, "
        "and no reason (clinician's assertion) was given"
    ]


def _needs_reason(chart: Chart, request: TriggerRequest) -> list[str]:
    return [] if request.has_reason else ["a reason is required"]


def _return_from_referral(chart: Chart, request: TriggerRequest) -> list[str]:
    if request.outcome in REFERRAL_OUTCOMES:
        return []
    return [
        f"{labelled('outcome', 'field')}: {request.outcome!r} is not allowed; allowed: "
        + ", ".join(REFERRAL_OUTCOMES)
    ]


def _close(chart: Chart, request: TriggerRequest) -> list[str]:
    if request.closing_reason in CLOSING_REASONS:
        return []
    return [
        f"{labelled('closing_reason', 'field')}: {request.closing_reason!r} is not allowed; "
        "allowed: " + ", ".join(CLOSING_REASONS)
    ]


_GUARDS = {
    "start_induction": _start_induction,
    "detect_progression": _detect_progression,
    "declare_refractory": _needs_reason,
    "refer_transplant": _needs_reason,
    "return_from_referral": _return_from_referral,
    "close": _close,
}
