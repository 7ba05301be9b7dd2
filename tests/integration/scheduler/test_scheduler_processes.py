"""The scheduler as separate processes: killed with SIGKILL mid-dispatch and restarted, and
two of them on one PostgreSQL database. Every due reminder arrives, none is lost, and the
receiver sees each key once after dropping the (at most one) in-flight re-send."""

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from ildpath.usecases import evaluate_patient

from ..apps import clinic, enrol
from .receiver import webhook_receiver

TODAY = date.today()  # the scheduler processes read the real clock
PATIENTS = 25
PER_PATIENT = 1 + 3
"""Enrolled 40 days ago: the PFT (due day 14) and the three vaccinations (due day 30) are
overdue, and each gets one reminder saying so (issue 21: the due, overdue and repeat reminders
of the days before are not caught up; before, 5 + 3 * 3 were sent)."""


def _cohort_with_overdue_work(url: str) -> None:
    with clinic(url, TODAY - timedelta(days=40)) as (app, clock):
        for n in range(PATIENTS):
            enrol(app, f"P-{n:03d}")
        clock.move_to(TODAY)
        for n in range(PATIENTS):
            evaluate_patient(app, f"P-{n:03d}", TODAY)


@pytest.fixture
def start_scheduler():  # type: ignore[no-untyped-def]
    """Starts scheduler processes (log to a file: a pipe nobody reads would block them) and
    kills any still running when the test ends, whatever its outcome."""
    started: list[subprocess.Popen[str]] = []

    def start(url: str, hook: str, log: Path) -> subprocess.Popen[str]:
        env = {
            **os.environ,
            "ILDPATH_DATABASE_URL": url,
            "ILDPATH_NOTIFY_CHANNELS": "webhook",
            "ILDPATH_WEBHOOK_URL": hook,
            "ILDPATH_WEBHOOK_SECRET": "test-secret",
            "ILDPATH_DISPATCH_INTERVAL_SECONDS": "1",
        }
        with log.open("a") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "ildpath", "scheduler", "run"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                text=True,
            )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


def _deliveries(url: str) -> dict[str, int]:
    with clinic(url, TODAY) as (app, _), app.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT status, count(*) FROM reminder_delivery GROUP BY status")
        ).all()
    return {status: count for status, count in rows}


def _all_sent(url: str) -> bool:
    counts = _deliveries(url)
    return counts.get("sent", 0) > 0 and counts.get("pending", 0) == 0


def _sent_keys(url: str) -> set[str]:
    with clinic(url, TODAY) as (app, _), app.engine.connect() as connection:
        return set(
            connection.execute(
                text("SELECT key FROM reminder_delivery WHERE status = 'sent'")
            ).scalars()
        )


def _wait_for(condition, seconds: float = 90) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting")


def _stop(process: subprocess.Popen[str]) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    return process.wait(timeout=30)


def test_killed_mid_dispatch_and_restarted_every_reminder_arrives_once(
    database_url, tmp_path, start_scheduler
):
    _cohort_with_overdue_work(database_url)
    log = tmp_path / "scheduler.log"
    with webhook_receiver(delay_seconds=0.03) as (receiver, hook):
        first = start_scheduler(database_url, hook, log)
        _wait_for(lambda: len(receiver.distinct) >= 20)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        killed_at = len(receiver.distinct)
        second = start_scheduler(database_url, hook, log)
        _wait_for(lambda: _all_sent(database_url) and len(receiver.distinct) > killed_at)
        assert _stop(second) == 0
    sent = _sent_keys(database_url)
    assert _deliveries(database_url) == {"sent": len(sent)}
    assert len(sent) == PATIENTS * PER_PATIENT
    assert receiver.distinct == sent  # nothing lost
    assert len(receiver.duplicates) <= 1, receiver.duplicates  # only the one in flight
    assert "scheduler stopped" in log.read_text()  # clean shutdown on SIGTERM


def test_two_schedulers_on_postgres_send_each_reminder_once(
    postgres_url, tmp_path, start_scheduler
):
    _cohort_with_overdue_work(postgres_url)
    log = tmp_path / "schedulers.log"

    def leaders() -> int:
        return log.read_text().count("leader: running")

    with webhook_receiver(delay_seconds=0.01) as (receiver, hook):
        leader = start_scheduler(postgres_url, hook, log)
        _wait_for(lambda: leaders() == 1)
        follower = start_scheduler(postgres_url, hook, log)
        _wait_for(
            lambda: _all_sent(postgres_url) and len(receiver.distinct) == PATIENTS * PER_PATIENT
        )
        time.sleep(2)  # the follower would send duplicates now if it dispatched too
        assert leaders() == 1
        assert _stop(leader) == 0
        _wait_for(lambda: leaders() == 2)  # the follower takes over
        assert _stop(follower) == 0
    assert receiver.duplicates == {}
    assert receiver.distinct == _sent_keys(postgres_url)
