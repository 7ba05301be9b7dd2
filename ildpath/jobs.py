"""The scheduler's jobs, referenced by APScheduler as "ildpath.jobs:<name>" strings: the
daily re-evaluation and the reminder dispatch, on the application built once per process."""

import logging
from datetime import date, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from scheduler.dispatcher import DispatchReport, dispatch
from scheduler.notifiers.base import Notifier
from scheduler.notifiers.settings import notifiers_from_settings
from scheduler.preferences import ClinicDigestSettings
from scheduler.retry import RetryPolicy
from scheduler.service import JobTargets

from .bootstrap import App, bootstrap
from .settings import Settings
from .usecases import run_daily_evaluation
from .usecases.audit_checkpoint import append_checkpoint

__all__ = [
    "TARGETS",
    "anchor_heads",
    "application",
    "clinic_digests",
    "daily_evaluation",
    "dispatch_reminders",
    "retry_policy",
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


def clinic_digests(settings: Settings) -> ClinicDigestSettings:
    """The clinic list's reminder choice (``ILDPATH_CLINIC_REMINDERS``, ``ILDPATH_DIGEST_HOUR``,
    in the clinic's ``ILDPATH_TIMEZONE``)."""
    return ClinicDigestSettings(settings.clinic_reminders, settings.digest_hour, settings.timezone)


def retry_policy(app: App) -> RetryPolicy:
    """The settings' ``ILDPATH_REMINDER_RETRY_*`` and ``ILDPATH_REMINDER_MAX_AGE_DAYS``."""
    settings = app.settings
    return RetryPolicy(
        first_seconds=settings.reminder_retry_first_seconds,
        max_seconds=settings.reminder_retry_max_seconds,
        max_age=timedelta(days=settings.reminder_max_age_days),
    )


def dispatch_reminders() -> None:
    app = application()
    report = dispatch(
        app.engine,
        _notifiers(),
        app.clock.today(),
        app.clock.now,
        app.settings.reminder_cadence_days,
        clinic_digests(app.settings),
        retry_policy(app),
        zone=ZoneInfo(app.settings.timezone),
    )
    if report.planned or report.sent or report.failed or report.retrying:
        log.info(
            "reminders: %d planned, %d sent, %d failed, %d to retry, %d cancelled, %d expired",
            report.planned,
            report.sent,
            report.failed,
            report.retrying,
            report.cancelled,
            report.expired,
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
        clinic_digests(app.settings),
        retry_policy(app),
        zone=ZoneInfo(app.settings.timezone),
    )
