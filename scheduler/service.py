"""APScheduler as the ticker (ARCHITECTURE): two jobs with fixed ids in its SQLAlchemy job
store on the application's database, targets given as "module:function" strings.

Care tasks live in our own tables; APScheduler only says *when* to evaluate and dispatch.
`misfire_grace_time=None` and `coalesce=True`: a run missed while the process was down runs
once at restart instead of being dropped (the 3.x default of 1 s drops it).
"""

from dataclasses import dataclass

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

__all__ = ["JobTargets", "ScheduleSettings", "build_scheduler"]


@dataclass(frozen=True)
class JobTargets:
    daily_evaluation: str
    dispatch: str


@dataclass(frozen=True)
class ScheduleSettings:
    daily_at: str = "06:00"
    dispatch_every_seconds: int = 300
    timezone: str = "UTC"


def build_scheduler(
    database_url: str, targets: JobTargets, settings: ScheduleSettings
) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=database_url, tablename="apscheduler_jobs")},
        job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        timezone=settings.timezone,
    )
    hour, minute = (int(part) for part in settings.daily_at.split(":"))
    scheduler.add_job(
        targets.daily_evaluation,
        "cron",
        hour=hour,
        minute=minute,
        id="daily-evaluation",
        name="re-evaluate every active patient",
        replace_existing=True,
    )
    scheduler.add_job(
        targets.dispatch,
        "interval",
        seconds=settings.dispatch_every_seconds,
        id="dispatch-reminders",
        name="send due reminders",
        replace_existing=True,
    )
    return scheduler
