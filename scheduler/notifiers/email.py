"""Email over SMTP: a readable message to the clinic's coordinators.

The body names the patient by pseudonymous identifier, the task and the due date (a
withdrawal notice: the alert code, the day and the entry that withdrew it), and nothing else
about the patient (not even the reminder's free text): mail leaves the clinic's
systems. The ``Message-ID`` is derived from the reminder key (which starts with the
installation id, so two installations never share one), so a mailbox or a filter can drop the
duplicate a crash-restart may send; ``X-Ildpath-Reminder-Key`` carries the key as is.
"""

import hashlib
import smtplib
import ssl
from email import policy
from email.message import EmailMessage
from email.utils import formatdate

from ..reminder import Reminder
from .base import DeliveryFailed
from .digest_email import digest_body
from .wording import (
    DISCLAIMER,
    headline,
    one_line,
    status,
    task_label,
    withdrawal_reason,
    withdrawn_notice_key,
)

__all__ = ["EmailNotifier", "compose", "message_id"]

CHANNEL = "email"

_ONE_LINE_HEADERS = policy.default.clone(max_line_length=998)
"""RFC 5322's hard limit: at the default 78, Python folds a subject of 70-odd characters onto
a line of its own, and mail clients then show it with a leading space."""


class EmailNotifier:
    """Sends each reminder to the configured recipients through one SMTP server.

    ``starttls`` upgrades a plain connection (port 587); ``ssl`` connects with implicit TLS
    (port 465). ``ssl_context`` defaults to the system's trust store; tests pass their own.
    """

    channel = CHANNEL

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        recipients: list[str],
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        ssl: bool = False,
        timeout: float = 10,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if not recipients:
            raise ValueError("email notifier: at least one recipient is needed")
        if starttls and ssl:
            raise ValueError("email notifier: choose STARTTLS or implicit TLS (ssl), not both")
        self.host, self.port, self.timeout = host, port, timeout
        self.sender, self.recipients = sender, list(recipients)
        self._username, self._password = username, password
        self._starttls, self._implicit_tls = starttls, ssl
        self._context = ssl_context

    def send(self, reminder: Reminder) -> None:
        """To the assignee's address when the reminder names one (§8), else to the clinic's
        list."""
        recipients = list(reminder.recipients) or self.recipients
        message = compose(reminder, self.sender, recipients)
        try:
            refused = self._deliver(message, recipients)
        except smtplib.SMTPRecipientsRefused as error:
            raise _refused(error.recipients) from error
        except smtplib.SMTPResponseException as error:
            raise _rejected(error.smtp_code, error.smtp_error) from error
        except ssl.SSLCertVerificationError as error:
            reason = f"server certificate refused: {error}"
            raise DeliveryFailed(CHANNEL, reason, retryable=False) from error
        except (OSError, smtplib.SMTPServerDisconnected) as error:
            reason = f"cannot reach {self.host}:{self.port}: {str(error) or type(error).__name__}"
            raise DeliveryFailed(CHANNEL, reason, retryable=True, endpoint_down=True) from error
        except smtplib.SMTPException as error:  # no STARTTLS or AUTH offered, etc.
            raise DeliveryFailed(CHANNEL, str(error), retryable=False) from error
        if refused:
            raise _refused(refused, partial=True)

    def _deliver(
        self, message: EmailMessage, recipients: list[str]
    ) -> dict[str, tuple[int, bytes]]:
        """One SMTP session; returns the recipients the server refused (if others passed)."""
        with self._connect() as smtp:
            if self._starttls:
                smtp.ehlo()
                smtp.starttls(context=self._tls_context())
                smtp.ehlo()
            if self._username is not None:
                smtp.login(self._username, self._password or "")
            return smtp.send_message(message, self.sender, recipients)

    def _connect(self) -> smtplib.SMTP:
        if self._implicit_tls:
            context = self._tls_context()
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)

    def _tls_context(self) -> ssl.SSLContext:
        return self._context or ssl.create_default_context()


def compose(reminder: Reminder, sender: str, recipients: list[str]) -> EmailMessage:
    """The message for one reminder (or one daily digest): readable subject, plain-text
    body, stable Message-ID."""
    message = EmailMessage(policy=_ONE_LINE_HEADERS)
    message["Subject"] = f"[ildpath] {headline(reminder)}"
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = message_id(reminder.key)
    message["X-Ildpath-Reminder-Key"] = one_line(reminder.key)
    if reminder.digest is not None:
        message.set_content(digest_body(reminder.digest))
        return message
    if reminder.kind == "alert_withdrawn":
        # threads under the notice it withdraws, in every mail client
        notice = message_id(withdrawn_notice_key(reminder.key))
        message["In-Reply-To"] = notice
        message["References"] = notice
        message.set_content(_withdrawal_body(reminder))
        return message
    message.set_content(_body(reminder))
    return message


def message_id(key: str) -> str:
    """``<first 32 hex digits of sha256(key)@ildpath>``: the same reminder, the same id; the
    key names the installation, so another clinic's reminder 19 gets another id."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@ildpath>"


def _body(reminder: Reminder) -> str:
    due = reminder.due_on.isoformat() if reminder.due_on else "not set"
    state = "critical alert" if reminder.kind == "critical_alert" else status(reminder)
    return "\n".join(
        [
            f"Patient: {one_line(reminder.patient_id)}",
            f"To do: {task_label(reminder.subject)}",
            f"Status: {one_line(state)}",
            f"Due: {due}",
            "",
            "Open the patient's record in ildpath for the details.",
            DISCLAIMER,
            "",
        ]
    )


def _withdrawal_body(reminder: Reminder) -> str:
    on = reminder.due_on.isoformat() if reminder.due_on else "today"
    return "\n".join(
        [
            f"Patient: {one_line(reminder.patient_id)}",
            f"Alert: {task_label(reminder.subject)} (critical), WITHDRAWN on {on}",
            f"Why: {withdrawal_reason(reminder)}.",
            "",
            "The earlier notice about this alert no longer applies: the alert was raised at once",
            "as the day was entered, and a later entry for the same day showed its cause did",
            "not hold. It stays in the record as withdrawn; there is nothing to acknowledge.",
            "",
            "Open the patient's record in ildpath for the details.",
            DISCLAIMER,
            "",
        ]
    )


def _rejected(code: int, text: bytes | str) -> DeliveryFailed:
    """4xx is temporary (try again later; the server is refusing mail for now, so its other
    reminders wait too), 5xx permanent (a person must act)."""
    message = text.decode(errors="replace") if isinstance(text, bytes) else text
    temporary = 400 <= code < 500
    reason = f"server replied {code} {message}"
    return DeliveryFailed(CHANNEL, reason, retryable=temporary, endpoint_down=temporary)


def _refused(refused: dict[str, tuple[int, bytes]], *, partial: bool = False) -> DeliveryFailed:
    """Retryable only if every refusal was temporary; a retry re-sends to the accepted ones
    too, which the stable Message-ID lets their mailboxes drop."""
    listed = ", ".join(f"{rcpt} ({code})" for rcpt, (code, _) in refused.items())
    scope = "some recipients refused (the others received it)" if partial else "all refused"
    retryable = all(400 <= code < 500 for code, _ in refused.values())
    return DeliveryFailed(CHANNEL, f"{scope}: {listed}", retryable=retryable)
