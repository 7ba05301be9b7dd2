"""`ildpath reminders list|retry` as a coordinator types them, in a real subprocess on a SQLite
file: the failing deliveries with their last error, re-queueing one or all of them once the
cause is fixed (they then go out at the next pass), an unknown key refused without writing, and
no such view for an auditor. The deliveries failed for real, against HTTP servers on
127.0.0.1."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from ildpath.bootstrap import App
from ildpath.clock import SimulatedClock
from scheduler.dispatcher import dispatch
from scheduler.notifiers import Notifier, WebhookNotifier
from tests.integration.apps import clinic, enrol
from tests.integration.notifiers.http_server import Endpoint, http_server

from .cli import Terminal

TODAY = date.today()  # the command line reads the real clock
SECRET = b"clinic-webhook-secret"


@dataclass
class Outbox:
    terminal: Terminal
    app: App
    clock: SimulatedClock

    def rows(self) -> dict[str, tuple[str, int, str | None]]:
        """Key -> (status, attempts, last error)."""
        with self.app.engine.connect() as connection:
            found = connection.execute(
                text("SELECT key, status, attempts, last_error FROM reminder_delivery")
            ).all()
        return {key: (status, attempts, error) for key, status, attempts, error in found}


def _channels(refusing: str, down: str) -> dict[str, Notifier]:
    return {
        "webhook": WebhookNotifier(refusing, SECRET, timeout=5),
        "webhook-2": WebhookNotifier(down, SECRET, timeout=5, channel="webhook-2"),
    }


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    """A PFT due yesterday and overdue today (enrolled 15 days ago), dispatched on both days:
    one endpoint refused both reminders (400: a person must fix something, so the next one
    was planned the next day); the other was down (503): its `due` reminder is still being
    retried, so no `overdue` one was planned beside it (one reminder per task at a time)."""
    terminal = Terminal(tmp_path)
    terminal.ok("init")
    refusing, down = Endpoint(statuses=[400] * 50), Endpoint(statuses=[503] * 50)
    url = terminal.env["ILDPATH_DATABASE_URL"]
    with (
        clinic(url, TODAY - timedelta(days=15)) as (app, clock),
        http_server(refusing) as refusing_url,
        http_server(down) as down_url,
    ):
        enrol(app)
        for day in (TODAY - timedelta(days=1), TODAY):  # the PFT's due day, then the next
            clock.move_to(day)
            dispatch(app.engine, _channels(refusing_url, down_url), day, clock.now)
        yield Outbox(terminal, app, clock)


def test_a_coordinator_sees_the_failing_deliveries_and_why(outbox: Outbox) -> None:
    listed = outbox.terminal.json("reminders", "list", "--failed")

    by_key = {row["key"]: row for row in listed}
    refused = [row for row in listed if row["status"] == "failed"]
    assert {row["key"] for row in refused} == {
        key for key, (status, _, _) in outbox.rows().items() if status == "failed"
    }
    assert {row["what"] for row in refused} == {
        "Pulmonary function tests due",
        "Pulmonary function tests overdue",
    }
    assert all("answered 400" in row["last_error"] for row in refused)
    assert all(row["patient_id"] == "P-001" and row["channel"] == "webhook" for row in refused)
    [retrying] = [row for row in listed if row["status"] == "pending"]
    assert retrying["channel"] == "webhook-2" and retrying["attempts"] == 2  # one a day
    assert "answered 503" in retrying["last_error"] and retrying["next_attempt_at"]
    assert set(by_key) == {k for k, (s, n, _) in outbox.rows().items() if s != "pending" or n}

    table = outbox.terminal.ok("reminders", "list", "--failed")
    for header in ("key", "channel", "patient", "what", "attempts", "last error", "next attempt"):
        assert header in table
    assert "Pulmonary function tests overdue" in table and "answered 400 Bad Request" in table
    assert "not until re-queued" in table

    waiting = outbox.terminal.json("reminders", "list", "--pending")
    assert {row["status"] for row in waiting} == {"pending"}
    assert {row["channel"] for row in waiting} == {"webhook-2"}


def test_retry_requeues_what_is_named_and_an_unknown_key_writes_nothing(
    outbox: Outbox,
) -> None:
    before = outbox.rows()
    failed = sorted(key for key, (status, _, _) in before.items() if status == "failed")

    unknown = outbox.terminal.run("reminders", "retry", failed[0], "task:999:due:webhook")
    assert unknown.returncode == 2
    assert "key: 'task:999:due:webhook' is not allowed" in unknown.stderr
    assert outbox.rows() == before

    none = outbox.terminal.run("reminders", "retry")
    assert none.returncode == 2 and "--all-failed" in none.stderr

    said = outbox.terminal.ok("reminders", "retry", failed[0])
    assert f"re-queued {failed[0]}" in said and "1 deliveries re-queued" in said
    assert outbox.rows()[failed[0]] == ("pending", 1, before[failed[0]][2])
    assert outbox.rows()[failed[1]] == before[failed[1]]  # only what was named

    said = outbox.terminal.ok("reminders", "retry", "--all-failed")
    assert f"re-queued {failed[1]}" in said
    assert {status for status, _, _ in outbox.rows().values()} == {"pending"}

    # the causes fixed: the next pass sends every one of them, once
    with http_server(Endpoint()) as fixed, http_server(Endpoint()) as back:
        outbox.clock.advance(timedelta(minutes=5))
        report = dispatch(outbox.app.engine, _channels(fixed, back), TODAY, outbox.clock.now)
    # both of the task's reminders on `webhook` were re-queued: the newer stands for the
    # older, which is cancelled (one reminder per task and channel at a time)
    assert report.sent == len(before) - 1 and report.cancelled == 1
    after = outbox.rows()
    assert sorted(status for status, _, _ in after.values()) == ["cancelled", "sent", "sent"]
    [(cancelled, (_, _, why))] = [(k, v) for k, v in after.items() if v[0] == "cancelled"]
    assert cancelled.endswith(":due:webhook") and "a newer reminder" in (why or "")
    assert outbox.terminal.json("reminders", "list") == []


def test_an_auditor_may_not_see_or_requeue_deliveries(outbox: Outbox) -> None:
    for args in (("list",), ("retry", "--all-failed")):
        refused = outbox.terminal.run("reminders", *args, role="auditor")
        assert refused.returncode == 2
        assert "may not see and re-queue failing reminder deliveries" in refused.stderr
    assert outbox.terminal.json("reminders", "list", role="admin")


def test_the_retry_settings_reach_the_scheduler(tmp_path: Path) -> None:
    """``ILDPATH_REMINDER_RETRY_FIRST_SECONDS`` and ``ILDPATH_REMINDER_MAX_AGE_DAYS`` as the
    simulated scheduler runs against a receiver that answers 500 every day; a wrong value is
    one line naming the variable."""
    start = date(2026, 3, 2)
    terminal = Terminal(tmp_path)
    terminal.ok("init")
    with clinic(terminal.env["ILDPATH_DATABASE_URL"], start) as (app, _):
        enrol(app)
    down = Endpoint(statuses=[500] * 100)
    with http_server(down) as url:
        terminal.env.update(
            ILDPATH_NOTIFY_CHANNELS="webhook",
            ILDPATH_WEBHOOK_URL=url,
            ILDPATH_WEBHOOK_SECRET="s3cret",
            ILDPATH_REMINDER_RETRY_FIRST_SECONDS="600",
            ILDPATH_REMINDER_MAX_AGE_DAYS="2",
        )
        # due on day 14 (expires on day 16), overdue planned on day 17 (expires on day 19)
        first, last = start + timedelta(days=14), start + timedelta(days=20)
        ran = terminal.run(
            "scheduler", "run", "--simulate", "--from", str(first), "--until", str(last)
        )
    assert ran.returncode == 0, ran.stderr
    listed = terminal.json("reminders", "list", "--failed")

    expired = [row for row in listed if row["status"] == "expired"]
    assert expired and all(
        "not sent within 2 days (the age limit)" in row["last_error"] for row in expired
    )
    assert {row["kind"] for row in expired} >= {"due", "overdue"}
    assert {row["status"] for row in listed} == {"expired"}
    # the first wait is 10 minutes after the day's pass at noon
    assert f"(attempt 1), trying again at {first}T12:10:00+00:00" in ran.stderr
    assert 1 <= len(down.requests) <= 7  # at most one probe a pass, one pass a simulated day

    terminal.env["ILDPATH_REMINDER_RETRY_FIRST_SECONDS"] = "0"
    refused = terminal.run("scheduler", "run", "--simulate", "--until", str(last))
    assert refused.returncode == 2
    assert "ILDPATH_REMINDER_RETRY_FIRST_SECONDS: input should be greater than or equal to 1" in (
        refused.stderr
    )
