"""A small fixed cohort whose audit measures are computed by hand (see the test module).

Seven synthetic patients, events entered on their clinical day by a clinician and a
coordinator; the daily evaluation catches up every day in between, as the scheduler would.
Period audited: 2026-01-01 to 2026-06-30.
"""

from collections.abc import Callable
from datetime import date, timedelta

from ildpath.bootstrap import App
from ildpath.clock import SimulatedClock
from ildpath.usecases import (
    Actor,
    EnrolPatient,
    TriggerCommand,
    enrol_patient,
    fire_trigger,
    record_given,
    record_observation,
    record_therapy,
    run_daily_evaluation,
)

START, END = date(2026, 1, 1), date(2026, 6, 30)
CLINICIAN = Actor("dr-audit", "clinician")
COORDINATOR = Actor("coord-audit", "coordinator")

Step = tuple[date, Callable[[App], object]]


def d(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


def _enrol(pid: str, on: date, mda5: str, course: str, ars: str = "negative") -> Step:
    command = EnrolPatient(
        pid, "female", date(1965, 4, 1), on, "dermatomyositis", mda5, ars, course, (), 60.0
    )
    return on, lambda app: enrol_patient(app, command, COORDINATOR)


def _vaccinated(pid: str, on: date) -> list[Step]:
    return [
        (on, lambda app, k=k: record_given(app, pid, "vaccination", k, on, COORDINATOR))
        for k in ("influenza", "pneumococcal", "covid19")
    ]


def _rx(
    pid: str,
    on: date,
    agent: str,
    dose: float | None = None,
    route: str | None = None,
    action: str = "start",
) -> Step:
    return on, lambda app: record_therapy(app, pid, action, agent, on, COORDINATOR, route, dose)


def _pft(
    pid: str, on: date, fvc: float = 70, dlco: float = 50, recorded: date | None = None
) -> Step:
    values = {"fvc_pct": fvc, "dlco_pct": dlco}
    return recorded or on, lambda app: record_observation(app, pid, "pft", values, on, COORDINATOR)


def _cmv(pid: str, on: date) -> Step:
    return on, lambda app: record_observation(app, pid, "cmv", {"iu_per_ml": 0}, on, COORDINATOR)


def _oxygen(pid: str, on: date, level: str) -> Step:
    return on, lambda app: record_observation(
        app, pid, "oxygen", {"oxygen": level}, on, COORDINATOR
    )


def _trigger(pid: str, on: date, trigger: str, **fields: str) -> Step:
    command = TriggerCommand(trigger=trigger, on=on, **fields)  # type: ignore[arg-type]
    return on, lambda app: fire_trigger(app, pid, command, CLINICIAN)


def _procedure(pid: str, on: date, kind: str) -> Step:
    return on, lambda app: record_given(app, pid, "procedure", kind, on, COORDINATOR)


def _supportive(pid: str, on: date) -> list[Step]:
    return [_rx(pid, on, "calcium"), _rx(pid, on, "vitamin_d")]


def steps() -> list[Step]:
    return [
        # P1: anti-MDA5+, simultaneous triple therapy, CMV tests on time, late, on time.
        _enrol("P1", d(1, 5), "positive", "rapidly_progressive"),
        *_vaccinated("P1", d(1, 5)),
        _rx("P1", d(1, 5), "methylprednisolone", 1000, "iv"),
        _rx("P1", d(1, 5), "tmp_smx"),
        *_supportive("P1", d(1, 5)),
        _rx("P1", d(1, 6), "tacrolimus", 4),
        _trigger("P1", d(1, 6), "start_induction"),
        _rx("P1", d(1, 7), "cyclophosphamide", 750, "iv"),
        _rx("P1", d(1, 8), "methylprednisolone", action="stop"),
        _rx("P1", d(1, 8), "prednisone", 60),
        _cmv("P1", d(1, 12)),
        _pft("P1", d(1, 19)),
        _cmv("P1", d(1, 21)),
        _cmv("P1", d(1, 28)),
        _rx("P1", d(2, 1), "prednisone", 10),
        _trigger("P1", d(3, 1), "achieve_response"),
        _procedure("P1", d(4, 1), "pulmonary_rehabilitation"),
        _pft("P1", d(5, 10)),
        # P2: anti-MDA5+, step-up (third agent day 10), refractory, plasma exchange in time.
        _enrol("P2", d(2, 2), "positive", "rapidly_progressive"),
        *_vaccinated("P2", d(2, 2)),
        _rx("P2", d(2, 2), "methylprednisolone", 1000, "iv"),
        *_supportive("P2", d(2, 2)),
        _trigger("P2", d(2, 2), "start_induction"),
        _rx("P2", d(2, 5), "methylprednisolone", action="stop"),
        _rx("P2", d(2, 5), "prednisone", 10),
        _rx("P2", d(2, 10), "tacrolimus", 4),
        _rx("P2", d(2, 12), "cyclophosphamide", 750, "iv"),
        _trigger("P2", d(3, 2), "declare_refractory", reason="no response to triple therapy"),
        _pft("P2", d(3, 5)),
        _cmv("P2", d(3, 9)),
        _procedure("P2", d(3, 10), "plasma_exchange"),
        _cmv("P2", d(3, 16)),
        _trigger("P2", d(3, 20), "achieve_response"),
        _procedure("P2", d(4, 15), "pulmonary_rehabilitation"),
        # P3: non-progressive (B), baseline PFT before enrolment, PJP prophylaxis 5 days late.
        _enrol("P3", d(1, 10), "negative", "non_progressive"),
        *_vaccinated("P3", d(1, 10)),
        _pft("P3", d(1, 2), 80, 60, recorded=d(1, 10)),
        _rx("P3", d(1, 20), "prednisone", 60),
        _rx("P3", d(1, 20), "mycophenolate_mofetil", 2000),
        *_supportive("P3", d(1, 20)),
        _trigger("P3", d(1, 20), "start_induction"),
        _rx("P3", d(1, 25), "tmp_smx"),
        _rx("P3", d(3, 1), "prednisone", 10),
        _pft("P3", d(4, 10), 80, 60),
        # P4: RP-ILD with anti-ARS (C), high-flow oxygen, referred two days later.
        _enrol("P4", d(3, 1), "negative", "rapidly_progressive", "positive"),
        *_vaccinated("P4", d(3, 1)),
        _oxygen("P4", d(3, 3), "high_flow"),
        _trigger("P4", d(3, 5), "refer_transplant", reason="high-flow oxygen"),
        _pft("P4", d(3, 15), 55, 35),
        # P5: progressive (C), enrolled before the period, high-flow oxygen, never referred,
        # died in the period.
        _enrol("P5", d(6, 1, 2025), "negative", "progressive"),
        *_vaccinated("P5", d(6, 1, 2025)),
        _pft("P5", d(6, 15, 2025)),
        _pft("P5", d(12, 15, 2025)),
        _oxygen("P5", d(4, 1), "high_flow"),
        _trigger("P5", d(5, 1), "close", closing_reason="deceased"),
        # P6: closed before the period: not in the audit.
        _enrol("P6", d(3, 1, 2025), "negative", "non_progressive"),
        _trigger("P6", d(10, 1, 2025), "close", closing_reason="transferred"),
        # P7: anti-MDA5+, first agent the day before the period ends: not yet judged.
        _enrol("P7", d(6, 29), "positive", "rapidly_progressive"),
        *_vaccinated("P7", d(6, 29)),
        _rx("P7", d(6, 29), "methylprednisolone", 1000, "iv"),
    ]


def build(app: App, clock: SimulatedClock) -> None:
    """Apply every step on its own day (in the order written within a day), with the daily
    evaluation brought up to the previous day first, as the scheduler would have left it."""
    for on, step in sorted(steps(), key=lambda s: s[0]):
        if on != clock.today():
            clock.move_to(on - timedelta(days=1))
            run_daily_evaluation(app, clock.today())
            clock.move_to(on)
        step(app)
    clock.move_to(END)
    run_daily_evaluation(app, END)
