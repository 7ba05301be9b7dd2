"""Transplant referral on high oxygen requirement (CLINICAL_SPEC §6; [S4] "particularly when
high-flow oxygen is required", applied to every patient per §9 and ISHLT 2021)."""

from datetime import date

from ..catalogue import HIGH_OXYGEN
from ..chart import Chart
from ..findings import Alert

__all__ = ["transplant_referral_needed"]


def transplant_referral_needed(chart: Chart, day: date) -> Alert | None:
    """`TRANSPLANT_REFERRAL_NEEDED`: the latest recorded oxygen requirement is high-flow,
    mechanical ventilation or ECMO, and no `refer_transplant` is effective since it was
    recorded. One alert per referral episode (keyed on the last referral before it); none while
    the patient is in `transplant_referral`, where the referral is already under way."""
    if chart.course.state_on(day) == "transplant_referral":
        return None  # already under transplant evaluation (docs/clinical-readings.md)
    oxygen = chart.observations("oxygen", until=day)
    if not oxygen or oxygen[-1].oxygen not in HIGH_OXYGEN:
        return None
    latest = oxygen[-1]
    referrals = [t for t in chart.course.all_of("refer_transplant") if t.on <= day]
    if any(t.on >= latest.on for t in referrals):
        return None
    since = referrals[-1].id if referrals else "enrolment"
    return Alert.under(
        chart.definition,
        "TRANSPLANT_REFERRAL_NEEDED",
        f"TRANSPLANT_REFERRAL_NEEDED:since:{since}",
        (latest.id,),
        f"{latest.oxygen} recorded {latest.on}",
    )
