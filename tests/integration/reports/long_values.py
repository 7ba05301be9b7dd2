"""A small clinic whose reports carry the long values a real registry has: long patient ids
without spaces, long reasons and justifications, so the printed tables are as wide as they get.
"""

from collections.abc import Callable
from datetime import date, timedelta

from ildpath.bootstrap import App
from ildpath.clock import SimulatedClock
from ildpath.usecases import (
    Actor,
    TriggerCommand,
    acknowledge_alert,
    fire_trigger,
    record_observation,
    record_therapy,
    run_daily_evaluation,
)
from ildpath.usecases.alerts import list_alerts
from tests.integration.apps import enrol

START, END = date(2026, 1, 1), date(2026, 6, 30)
CLINICIAN = Actor("dr-annemarie-vandenberghe-longname", "clinician")

MDA5 = "NORTHWEST-MYOSITIS-ILD-REGISTRY-2026-000123-A"
PROGRESSING = "NORTHWEST-MYOSITIS-ILD-REGISTRY-2026-000456-B"
REASON = (
    "FVC fell from 82 to 74 % predicted and DLCO from 70 to 61 over five months despite "
    "mycophenolate at full dose; the multidisciplinary meeting of 2026-05-12 agreed on "
    "progression after reviewing the repeat HRCT (more reticulation in both lower lobes)."
)
JUSTIFICATION = (
    "Infliximab was stopped the next day; it had been started by the rheumatology ward before "
    "the anti-MDA5 result came back. Discussed with the patient and documented in the notes. "
    "Reference:ward-round-2026-02-11/rheumatology/consultant-on-call/annotations-v2"
)


def _acknowledge_all(app: App) -> None:
    for alert in list_alerts(app, patient_id=MDA5):
        acknowledge_alert(app, alert.id, JUSTIFICATION, CLINICIAN)


def _steps() -> list[tuple[date, Callable[[App], object]]]:
    first, response, worse = date(2026, 1, 5), date(2026, 3, 1), date(2026, 5, 12)
    trigger = fire_trigger
    return [
        (first, lambda app: enrol(app, PROGRESSING)),
        (
            first,
            lambda app: record_therapy(
                app, PROGRESSING, "start", "prednisone", first, CLINICIAN, "oral", 60.0
            ),
        ),
        (
            first,
            lambda app: record_therapy(
                app, PROGRESSING, "start", "mycophenolate_mofetil", first, CLINICIAN
            ),
        ),
        (
            first,
            lambda app: record_observation(
                app, PROGRESSING, "pft", {"fvc_pct": 82, "dlco_pct": 70}, first, CLINICIAN
            ),
        ),
        (
            first,
            lambda app: trigger(
                app, PROGRESSING, TriggerCommand("start_induction", first), CLINICIAN
            ),
        ),
        (
            date(2026, 2, 10),
            lambda app: enrol(app, MDA5, anti_mda5="positive", ild_course="rapidly_progressive"),
        ),
        (
            date(2026, 2, 10),
            lambda app: record_therapy(
                app, MDA5, "start", "infliximab", date(2026, 2, 10), CLINICIAN
            ),
        ),
        (date(2026, 2, 11), _acknowledge_all),
        (
            response,
            lambda app: trigger(
                app, PROGRESSING, TriggerCommand("achieve_response", response), CLINICIAN
            ),
        ),
        (
            worse,
            lambda app: record_observation(
                app, PROGRESSING, "pft", {"fvc_pct": 74, "dlco_pct": 61}, worse, CLINICIAN
            ),
        ),
        (
            worse,
            lambda app: trigger(
                app,
                PROGRESSING,
                TriggerCommand("detect_progression", worse, reason=REASON),
                CLINICIAN,
            ),
        ),
    ]


def build(app: App, clock: SimulatedClock) -> None:
    """Two patients over the first half of 2026: an avoided agent acknowledged at length, and a
    progression with a long reason; each step on its day, the daily run brought up to the day
    before first, as the scheduler would have left it."""
    for on, step in _steps():
        if on != clock.today():
            clock.move_to(on - timedelta(days=1))
            run_daily_evaluation(app, clock.today())
            clock.move_to(on)
        step(app)
    clock.move_to(END)
    run_daily_evaluation(app, END)
