"""The default channel: a readable line in the application log."""

import logging

import pytest

from scheduler.notifiers import LogNotifier

from .conftest import PATIENT, pft_reminder


def test_log_notifier_writes_one_line_with_patient_task_and_due_date(
    caplog: pytest.LogCaptureFixture,
) -> None:
    reminder = pft_reminder()
    with caplog.at_level(logging.INFO, logger="ildpath.reminders"):
        LogNotifier().send(reminder)

    [record] = caplog.records
    line = record.getMessage()
    assert record.name == "ildpath.reminders"
    assert record.levelno == logging.INFO
    assert "\n" not in line
    for expected in (PATIENT, "PFT", "2026-04-05", reminder.key):
        assert expected in line


def test_critical_alert_is_logged_as_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    alert = pft_reminder("critical_alert", subject="PLASMA_EXCHANGE_OVERDUE", severity="critical")
    with caplog.at_level(logging.INFO, logger="ildpath.reminders"):
        LogNotifier().send(alert)

    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert "CRITICAL alert PLASMA_EXCHANGE_OVERDUE" in record.getMessage()


def test_a_line_break_in_a_field_cannot_forge_a_second_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    forged = pft_reminder(patient_id="PUB-001\nINFO all reminders sent")
    with caplog.at_level(logging.INFO, logger="ildpath.reminders"):
        LogNotifier().send(forged)

    assert "\n" not in caplog.records[0].getMessage()
