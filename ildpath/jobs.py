"""The scheduler's jobs, referenced by APScheduler as "ildpath.jobs:<name>" strings: the
daily re-evaluation and the reminder dispatch, on the application built once per process."""

import logging
from datetime import date
from functools import cache
from zoneinfo import ZoneInfo

from scheduler.dispatcher import DispatchReport, dispatch
from scheduler.notifiers.base import Notifier
from scheduler.notifiers.settings import notifiers_from_settings
from scheduler.service import JobTargets

from .bootstrap import App, bootstrap
from .usecases import run_daily_evaluation
from .usecases.audit_checkpoint import append_checkpoint

__all__ = [
    "TARGETS",
    "anchor_heads",
    "application",
    "daily_evaluation",
    "dispatch_reminders",
    "run_day",
]

log = logging.getLogger("ildpath.scheduler")

TARGETS = JobTargets(
    daily_evaluation="ildpath.jobs:daily_evaluation", dispatch="ildpath.jobs:dispatch_reminders"
)


@cache
def application() -> App:
    """The process's application: built (and the schema upgraded) once, shared by the jobs."""
    return bootstrap()


@cache
def _notifiers() -> dict[str, Notifier]:
    return {n.channel: n for n in notifiers_from_settings()}


def daily_evaluation() -> None:
    app = application()
    count = run_daily_evaluation(app)
    log.info(
        "daily evaluation for %s: %d patients judged, the quiet ones carried unread",
        app.clock.today(),
        count,
    )
    anchor_heads(app)


def anchor_heads(app: App) -> None:
    """The day's checkpoint of every chain head (docs/audit.md): a failure is logged for the
    administrator and never stops the daily run or the scheduler."""
    try:
        summary = append_checkpoint(app)
    except Exception:
        log.exception("audit checkpoint not written: the daily run went on without it")
        return
    log.info("audit checkpoint of %d chains appended to %s", summary.chains, summary.path)


def dispatch_reminders() -> None:
    app = application()
    report = dispatch(
        app.engine,
        _notifiers(),
        app.clock.today(),
        app.clock.now,
        app.settings.reminder_cadence_days,
        zone=ZoneInfo(app.settings.timezone),
    )
    if report.planned or report.sent or report.failed:
        log.info(
            "reminders: %d planned, %d sent, %d failed, %d to retry",
            report.planned,
            report.sent,
            report.failed,
            report.retrying,
        )


def run_day(app: App, day: date, notifiers: dict[str, Notifier]) -> DispatchReport:
    """One simulated day: the daily evaluation, then dispatch (for --simulate and demos)."""
    run_daily_evaluation(app, day)
    return dispatch(
        app.engine,
        notifiers,
        day,
        app.clock.now,
        app.settings.reminder_cadence_days,
        zone=ZoneInfo(app.settings.timezone),
    )
