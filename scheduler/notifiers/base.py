"""The contract every channel fulfils, and the one error it raises.

The dispatcher records a send keyed by ``reminder.key`` before (or with) the side effect, so
after a crash it may send the same reminder again. Every channel therefore carries the key in
the message itself, letting the receiving end drop a duplicate.
"""

from typing import Protocol

from ..reminder import Reminder

__all__ = ["DeliveryFailed", "Notifier"]


class Notifier(Protocol):
    """A channel that carries reminders to people (``log``, ``email``, ``webhook``)."""

    channel: str

    def send(self, reminder: Reminder) -> None:
        """Deliver one reminder, or raise `DeliveryFailed`; never report success on doubt."""
        ...


class DeliveryFailed(Exception):
    """A reminder was not delivered.

    ``retryable`` tells the dispatcher whether trying again later may succeed (a server down,
    a 4xx SMTP reply, an HTTP 503) or whether a person must fix something first (a refused
    password, an unknown recipient, an HTTP 400).

    ``endpoint_down`` says the endpoint itself is not taking anything now (no connection, a
    timeout, an HTTP 5xx or 429, a temporary SMTP refusal of the whole message), not just
    this reminder: the dispatcher then leaves the endpoint's other reminders for its next pass
    without trying them, so one probe per pass finds out when it is back, instead of one
    timeout per reminder.
    """

    def __init__(
        self, channel: str, reason: str, *, retryable: bool, endpoint_down: bool = False
    ) -> None:
        super().__init__(f"{channel}: {reason}")
        self.channel = channel
        self.reason = reason
        self.retryable = retryable
        self.endpoint_down = endpoint_down and retryable
