"""The live reminder scheduler, run by `ildpath scheduler run` in the foreground or by
`ildpath serve` in a background thread of the web process.

Only the holder of the database's scheduler leadership runs the jobs, so a clinic may start
several `serve` processes on one PostgreSQL database without doubling a reminder.
"""

import logging
import threading

from scheduler.leadership import leadership
from scheduler.service import ScheduleSettings, build_scheduler

from . import jobs
from .settings import safe_url

__all__ = ["LiveScheduler"]

log = logging.getLogger("ildpath.scheduler")


class LiveScheduler:
    """Daily re-evaluation and reminder dispatch until `stop` is called (from any thread, or
    a signal handler: it only sets an event, so a stop that arrives while APScheduler is still
    starting is never lost)."""

    def __init__(self) -> None:
        self._stopping = threading.Event()

    def run(self) -> None:
        """Wait to lead, catch up at once (a run missed while down is not dropped), then
        tick in APScheduler's thread until stopped; the job in hand finishes first."""
        settings = jobs.application().settings
        log.info("waiting to become the scheduler leader on %s", safe_url(settings.database_url))
        with leadership(settings.database_url, self._stopping.is_set) as leader:
            if not leader or self._stopping.is_set():
                return
            log.info(
                "leader: running daily evaluation at %s and dispatch every %ss",
                settings.daily_evaluation_at,
                settings.dispatch_interval_seconds,
            )
            service = build_scheduler(
                settings.database_url,
                jobs.TARGETS,
                ScheduleSettings(
                    settings.daily_evaluation_at,
                    settings.dispatch_interval_seconds,
                    settings.timezone,
                ),
            )
            jobs.daily_evaluation()
            jobs.dispatch_reminders()
            if not self._stopping.is_set():
                service.start()
                while not self._stopping.wait(1.0):
                    pass
                service.shutdown(wait=True)
        log.info("scheduler stopped")

    def stop(self) -> None:
        self._stopping.set()
