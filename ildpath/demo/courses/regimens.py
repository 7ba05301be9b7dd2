"""Regimens as the demo's clinicians give them, with realistic doses (CLINICAL_SPEC §4-6, §9).

Each helper plans therapy events on a course and returns the day the oral glucocorticoid
starts, for the taper.
"""

from ..course import Course

__all__ = [
    "add_partner",
    "gc_mmf",
    "prednisone_dose",
    "pulse_methylprednisolone",
    "referral_round_trip",
    "respond",
    "switch_cyclophosphamide_to_mmf",
    "taper",
    "triple_therapy",
]


def _round(dose: float, step: float = 5.0) -> float:
    return max(step, round(dose / step) * step)


def prednisone_dose(course: Course, per_kg: float = 1.0) -> float:
    """Prednisone mg/day for ``per_kg`` mg/kg/day, in 5 mg steps, at most 80 mg."""
    return min(80.0, _round(course.weight_kg * per_kg))


def pulse_methylprednisolone(course: Course, day: int) -> int:
    """IV methylprednisolone 500-1000 mg/day x 3 days, an explicit stop, then prednisone
    1 mg/kg/day ([S0]; §9: the engine never infers a stop)."""
    course.start(day, "methylprednisolone", "iv", course.pick((500, 750, 1000)))
    course.stop(day + 3, "methylprednisolone")
    course.start(day + 3, "prednisone", "oral", prednisone_dose(course))
    return day + 3


def add_partner(course: Course, day: int, agent: str) -> None:
    """The second or third agent of a regimen, at its usual dose and route."""
    if agent == "cyclophosphamide":
        if course.chance(0.8):
            course.start(day, "cyclophosphamide", "iv")  # monthly IV pulses, left active
        else:
            course.start(day, "cyclophosphamide", "oral", _round(course.weight_kg * 1.5, 25))
    elif agent == "rituximab":
        course.start(day, "rituximab", "iv")  # 1 g x 2, two weeks apart
    elif agent == "tacrolimus":
        course.start(day, "tacrolimus", "oral", float(course.pick((2, 3, 4))))
    elif agent == "cyclosporine":
        course.start(day, "cyclosporine", "oral", _round(course.weight_kg * 3, 25))
    elif agent == "mycophenolate_mofetil":
        course.start(day, "mycophenolate_mofetil", "oral", 2000.0)
    elif agent == "ivig":
        course.start(day, "ivig", "iv")  # 2 g/kg over 2-5 days, monthly
    elif agent == "tofacitinib":
        course.start(day, "tofacitinib", "oral", 10.0)
    else:
        raise ValueError(f"no demo dosing for {agent}")


def triple_therapy(
    course: Course,
    day: int,
    *,
    second: str = "tacrolimus",
    third: str = "cyclophosphamide",
    pulse: bool | None = None,
) -> int:
    """[S4] anti-MDA5: high-dose glucocorticoid + tacrolimus (or MMF) + cyclophosphamide (or
    rituximab), all started together."""
    if pulse if pulse is not None else course.chance(0.6):
        prednisone_from = pulse_methylprednisolone(course, day)
    else:
        course.start(day, "prednisone", "oral", prednisone_dose(course))
        prednisone_from = day
    add_partner(course, day, second)
    add_partner(course, day, third)
    return prednisone_from


def gc_mmf(course: Course, day: int) -> int:
    """[S0] non-progressive: prednisone 1 mg/kg/day + mycophenolate (1 g, then 2 g/day)."""
    course.start(day, "prednisone", "oral", prednisone_dose(course))
    course.start(day, "mycophenolate_mofetil", "oral", 1000.0)
    course.start(day + 14, "mycophenolate_mofetil", "oral", 2000.0)
    return day


_TAPER = ((28, 0.75), (49, 0.5), (77, 15.0), (140, 10.0), (240, 7.5), (330, 5.0))
"""(days after the oral glucocorticoid started, mg/kg/day below 1, else mg/day)."""


def taper(course: Course, start: int, until: int | None = None, from_dose: float = 1.0) -> None:
    """Prednisone taper: 0.75 then 0.5 mg/kg/day, 15 mg/day by week 11 (the end of high-dose
    exposure, §9), then 10, 7.5 and 5 mg/day; steps on or after ``until`` are not planned."""
    for after, dose in _TAPER:
        if until is not None and start + after >= until:
            return
        if dose < 1:
            if dose >= from_dose:
                continue
            mg_per_day = prednisone_dose(course, dose)
        else:
            mg_per_day = dose
        course.start(start + after, "prednisone", "oral", mg_per_day)


def referral_round_trip(course: Course, day: int, reason: str, outcomes: tuple[str, ...]) -> int:
    """refer_transplant, then return_from_referral with the evaluation's outcome (§3, §6);
    returns the day of the return."""
    course.trigger(day, "refer_transplant", reason)
    returned = day + course.between(8, 20)
    outcome = course.pick(outcomes)
    course.trigger(
        returned,
        "return_from_referral",
        f"transplant evaluation: {outcome.replace('_', ' ')}",
        outcome=outcome,
    )
    return returned


def respond(course: Course, day: int, why: str = "") -> int:
    """A response PFT, off oxygen for some, and achieve_response a few days later."""
    before = (course.fvc, course.dlco)
    course.pft_response(day)
    if course.phenotype["ild_course"] == "rapidly_progressive":
        course.oxygen(day, "none")
    on = day + course.between(0, 6)
    course.trigger(
        on,
        "achieve_response",
        f"FVC {before[0]}% -> {course.fvc}%, DLCO {before[1]}% -> {course.dlco}%{why}",
    )
    return on


def switch_cyclophosphamide_to_mmf(course: Course, day: int) -> None:
    """After about six monthly pulses: stop cyclophosphamide, mycophenolate maintenance."""
    course.stop(day, "cyclophosphamide")
    course.start(day, "mycophenolate_mofetil", "oral", 2000.0)
