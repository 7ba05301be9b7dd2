"""A person's reminder choice: one email per task reminder, or one daily digest at an hour of
their own time zone; and where those emails go.

Read and set the same way from the command line (`ildpath user reminders`) and the person's
account page. Every value is checked before anything is written; the change and who made it
go on the accounts chain (`persistence.account_chain`), like an address change, so "why did
my reminders stop?" has an answer in `audit verify`'s trail.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from persistence.account_tables import ReminderPreferenceRow
from scheduler.preferences import (
    DIGEST,
    IMMEDIATE,
    check_delivery,
    check_digest_hour,
    check_timezone,
)

from ..bootstrap import App
from .chained import in_account_change, record_event
from .users import find_user

__all__ = ["ReminderChoice", "reminder_choice", "set_reminder_choice"]


@dataclass(frozen=True)
class ReminderChoice:
    username: str
    delivery: str
    """``immediate`` or ``digest``."""
    digest_hour: int
    timezone: str
    email: str | None
    """Where their tasks' reminders go; None: to the clinic's list (and then the clinic
    list's choice applies, not theirs)."""
    active: bool
    chosen_at: datetime | None
    """None: never chosen, the default (immediate) applies."""

    @property
    def digest(self) -> bool:
        return self.delivery == DIGEST

    @property
    def reaches_them(self) -> bool:
        """Whether their tasks' emails reach them (an active account with an address)."""
        return self.active and bool(self.email)

    def describe(self) -> str:
        """One line for a person: what they get, when, and where."""
        if self.digest:
            how = f"one daily digest at {self.digest_hour:02d}:00 ({self.timezone})"
        else:
            how = "one email per task reminder, as it falls due"
        if not self.reaches_them:
            reason = "no email address" if self.active else "the account is deactivated"
            return (
                f"{how}; but {reason}: the reminders of their tasks go to the clinic's list "
                "instead (its own choice applies)"
            )
        return f"{how}, to {self.email}; critical alerts always at once"


def _choice(session: Session, app: App, username: str) -> ReminderChoice:
    user = find_user(session, username)
    row = session.get(ReminderPreferenceRow, username)
    if row is None:
        return ReminderChoice(
            username,
            IMMEDIATE,
            app.settings.digest_hour,
            app.settings.timezone,
            user.email,
            user.active,
            None,
        )
    return ReminderChoice(
        username,
        row.delivery,
        row.digest_hour,
        row.timezone,
        user.email,
        user.active,
        row.updated_at,
    )


def reminder_choice(app: App, username: str) -> ReminderChoice:
    """The user's choice (the default when they never chose); `UserNotFound` if none."""
    with app.transaction() as session:
        return _choice(session, app, username)


def set_reminder_choice(
    app: App,
    username: str,
    *,
    delivery: str | None = None,
    hour: int | None = None,
    timezone: str | None = None,
    by: str,
    by_role: str | None = None,
) -> ReminderChoice:
    """Change what is given, keep the rest; refused with the field and the allowed values
    (`InvalidValue`) before anything is written."""
    if delivery is not None:
        check_delivery(delivery)
    if hour is not None:
        check_digest_hour(hour)
    if timezone is not None:
        check_timezone(timezone)

    def work(session: Session) -> ReminderChoice:
        now = _choice(session, app, username)
        row = session.get(ReminderPreferenceRow, username) or ReminderPreferenceRow(
            username=username,
            delivery=now.delivery,
            digest_hour=now.digest_hour,
            timezone=now.timezone,
            updated_at=app.clock.now(),
        )
        row.delivery = now.delivery if delivery is None else delivery
        row.digest_hour = now.digest_hour if hour is None else hour
        row.timezone = now.timezone if timezone is None else timezone
        row.updated_at = app.clock.now()
        chosen = {
            "delivery": row.delivery,
            "digest_hour": row.digest_hour,
            "timezone": row.timezone,
        }
        session.add(row)
        record_event(
            app,
            session,
            kind="reminders_set",
            by=by,
            by_role=by_role,
            subject=username,
            payload=chosen,
            rows=[],
        )
        session.flush()
        return _choice(session, app, username)

    return in_account_change(app, work)
