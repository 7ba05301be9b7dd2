"""The live reminder scheduler, run by `ildpath scheduler run` in the foreground or by
`ildpath serve` in a background thread of the web process.

Only the holder of the database's scheduler leadership runs the jobs, so a clinic may start
several `serve` processes on one PostgreSQL database without doubling a reminder.
"""

import logging
import threading

from apscheduler.schedulers.blocking import BlockingScheduler

from scheduler.leadership import leadership
from scheduler.service import ScheduleSettings, build_scheduler

from . import jobs
from .cli.edge import safe_url

__all__ = ["LiveScheduler"]

log = logging.getLogger("ildpath.scheduler")


class LiveScheduler:
    """Daily re-evaluation and reminder dispatch until `stop` is called (from any thread)."""

    def __init__(self) -> None:
        self._stopping = threading.Event()
        self._service: BlockingScheduler | None = None
        self._lock = threading.RLock()  # re-entrant: stop() may run in a signal handler

    def run(self) -> None:
        """Wait to lead, catch up at once (a run missed while down is not dropped), then
        tick until stopped."""
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
            with self._lock:
                if self._stopping.is_set():
                    return
                self._service = service
            service.start()
        log.info("scheduler stopped")

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            if self._service is not None and self._service.running:
                self._service.shutdown(wait=False)
