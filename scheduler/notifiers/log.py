"""The default channel: one readable line per reminder in the application log."""

import logging

from ..reminder import Reminder
from .wording import headline

__all__ = ["LOGGER_NAME", "LogNotifier"]

LOGGER_NAME = "ildpath.reminders"


class LogNotifier:
    """Writes each reminder to the ``ildpath.reminders`` logger: INFO, or WARNING when its
    severity is above ``info`` (configure logging to see INFO, e.g. in the CLI)."""

    channel = "log"

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self._logger = logger or logging.getLogger(LOGGER_NAME)

    def send(self, reminder: Reminder) -> None:
        level = logging.INFO if reminder.severity == "info" else logging.WARNING
        self._logger.log(level, "%s [key %s]", headline(reminder), reminder.key)
