"""The scheduler-at-scale benchmark (bench/scheduler_scale.py) still runs and still counts
right, at a size a test can afford: every due reminder is sent once by ildpath and run once by
the one-job-per-task alternative, and nothing is sent again on a second pass or a restart."""

from datetime import date

from bench.scheduler_scale import measure_scheduler

TODAY = date(2026, 3, 2)


def test_the_scale_benchmark_sends_every_due_reminder_once_on_both_schedulers(tmp_path):
    figures = measure_scheduler(
        f"sqlite:///{tmp_path}/ildpath.db",
        f"sqlite:///{tmp_path}/apscheduler.db",
        open_tasks=300,
        due=40,
        patients=30,
        today=TODAY,
    )
    ours, theirs = figures["ildpath"], figures["apscheduler_one_job_per_task"]
    assert (ours["planned"], ours["sent"], ours["distinct_keys"]) == (40, 40, 40)
    assert (ours["sent_again"], ours["restart_sent"]) == (0, 0)
    assert (theirs["jobs"], theirs["ran"], theirs["distinct_keys"]) == (300, 40, 40)
    assert (theirs["restart_jobs"], theirs["ran_at_restart"]) == (260, 0)
    assert figures["counts_ok"]
    assert figures["ratio_dispatch"] > 0 and figures["ratio_restart"] > 0
