"""Issue 21, a clinic's first week: turning a channel on for a cohort imported with two years
of history sends at most one message per task and per critical alert on the first day, each
saying where the task stands ("overdue by 203 days"), counted as a real HTTP receiver and a
real SMTP server got them; after 20 days with no dispatch, one reminder per task again, and
the repeats follow the cadence from the last one sent, never catching up.

Before issue 21 the same first day sent 5,340 messages for these 66 tasks and alerts (up to
108 for one task: due, overdue, overdue-repeat-1 ... -106)."""

import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from ildpath.bootstrap import App
from ildpath.clock import SimulatedClock
from scheduler.dispatcher import dispatch, plan_due
from scheduler.notifiers import EmailNotifier, Notifier, WebhookNotifier

from ..notifiers.http_server import Endpoint, http_server
from ..notifiers.smtp_server import Mailbox, smtp_server
from .imported_cohort import TODAY, critical_alerts, imported_cohort, open_due_tasks, sources_of

OPEN_DUE_TASKS = 60
"""Open tasks of the imported cohort due by `TODAY` (most overdue by months, one by 753
days)."""
CRITICAL_ALERTS = 6
"""Critical alerts (CMV reactivations) the import's judging raised, unacknowledged."""
PASSES = 12
"""The first hour: a dispatch every 5 minutes."""
SECRET = b"clinic-webhook-secret"
COORDINATORS = ["ild-nurse@clinic.example"]


def _first_day(app: App, clock: SimulatedClock, notifiers: dict[str, Notifier]) -> None:
    for _ in range(PASSES):
        dispatch(app.engine, notifiers, TODAY, clock.now)


def _cohort_as_expected(app: App) -> dict[int, date]:
    tasks = open_due_tasks(app, TODAY)
    assert (len(tasks), len(critical_alerts(app))) == (OPEN_DUE_TASKS, CRITICAL_ALERTS)
    assert max((TODAY - due).days for due in tasks.values()) > 365  # two years of history
    return tasks


def test_webhook_turned_on_for_an_imported_cohort_sends_one_message_per_task_on_day_one(
    database_url: str, tmp_path: Path
) -> None:
    endpoint = Endpoint()
    with imported_cohort(database_url, tmp_path) as (app, clock), http_server(endpoint) as url:
        tasks = _cohort_as_expected(app)
        _first_day(app, clock, {"webhook": WebhookNotifier(url, SECRET, timeout=5)})
        posts = [json.loads(r.body) for r in endpoint.requests]
        sources = sources_of(app, [p["key"] for p in posts])

    assert len(posts) == OPEN_DUE_TASKS + CRITICAL_ALERTS == 66  # every message that day
    assert Counter(sources).most_common(1)[0][1] == 1  # none twice, whatever the key
    assert {i for what, i in sources if what == "task"} == set(tasks)
    for post, (what, task_id) in zip(posts, sources, strict=True):
        if what == "task":
            late = (TODAY - tasks[task_id]).days
            assert post["kind"] == ("overdue" if late else "due")
            if late:
                assert post["days_overdue"] == late
                assert f"OVERDUE by {late} day" in post["text"]
        else:
            assert (post["kind"], post["severity"]) == ("critical_alert", "critical")


def test_email_turned_on_for_an_imported_cohort_sends_one_mail_per_task_on_day_one(
    database_url: str, tmp_path: Path
) -> None:
    mailbox = Mailbox()
    with imported_cohort(database_url, tmp_path) as (app, clock), smtp_server(mailbox) as port:
        tasks = _cohort_as_expected(app)
        email = EmailNotifier("127.0.0.1", port, "ildpath@clinic.example", COORDINATORS)
        _first_day(app, clock, {"email": email})
        mails = [m.message for m in mailbox.received]
        sources = sources_of(app, [m["X-Ildpath-Reminder-Key"] for m in mails])

    assert len(mails) == OPEN_DUE_TASKS + CRITICAL_ALERTS == 66
    assert len({m["Message-ID"] for m in mails}) == 66
    assert Counter(sources).most_common(1)[0][1] == 1
    subjects = {i: m["Subject"] for m, (what, i) in zip(mails, sources, strict=True)}
    oldest = min(tasks, key=lambda t: tasks[t])
    late = (TODAY - tasks[oldest]).days
    assert subjects[oldest].startswith(f"[ildpath] OVERDUE by {late} days: ")
    assert f"was due {tasks[oldest].isoformat()}" in subjects[oldest]


def test_after_20_days_without_dispatch_one_reminder_per_task_then_the_cadence_from_it(
    database_url: str, tmp_path: Path
) -> None:
    """Dispatch only (the record left as imported): day one, then nothing for 20 days, then
    every day for two weeks with the cadence of 7 days."""
    endpoint = Endpoint()
    back = TODAY + timedelta(days=20)
    reminded: dict[int, list[tuple[date, str]]] = {}
    with imported_cohort(database_url, tmp_path) as (app, clock), http_server(endpoint) as url:
        tasks = _cohort_as_expected(app)
        notifiers: dict[str, Notifier] = {"webhook": WebhookNotifier(url, SECRET, timeout=5)}
        _first_day(app, clock, notifiers)
        for offset in range(15):
            day = back + timedelta(days=offset)
            clock.move_to(day)
            before = len(endpoint.requests)
            for _ in range(3):
                dispatch(app.engine, notifiers, day, clock.now)
            assert plan_due(app.engine, day, clock.now(), ["webhook"], 7) == 0
            posts = [json.loads(r.body) for r in endpoint.requests[before:]]
            for post, (what, task_id) in zip(
                posts, sources_of(app, [p["key"] for p in posts]), strict=True
            ):
                assert what == "task"  # a critical notice is sent once
                reminded.setdefault(task_id, []).append((day, post["kind"]))
                late = (day - date.fromisoformat(post["due_on"])).days
                assert post.get("days_overdue") == (late or None)

    assert len(endpoint.requests) >= 66
    for task_id in tasks:  # the 60 overdue on day one
        assert reminded[task_id] == [
            (back, "overdue-repeat-1"),  # one after the gap: not -1, -2 and -3
            (back + timedelta(days=7), "overdue-repeat-2"),
            (back + timedelta(days=14), "overdue-repeat-3"),
        ]
    for task_id, days in reminded.items():  # tasks falling due meanwhile: one a day at most
        assert len({day for day, _ in days}) == len(days), (task_id, days)
