"""Whose task reminders wait for their daily digest instead of going out one email each.

A task's email goes to its assignee's address (an active user with one), else to the clinic's
list (`scheduler.planning`). When that recipient chose the daily digest, the task's reminders
are planned on every channel but email: the digest lists the task instead (`scheduler.digest`).
The webhook and the log are not people's inboxes and keep every reminder; critical-alert and
withdrawal notices keep the email channel too (they are not task reminders).
"""

from collections.abc import Iterable, Iterator
from dataclasses import replace

from sqlalchemy import select
from sqlmodel import Session

from persistence.account_tables import ReminderPreferenceRow, UserRow

from .planning import PlannedReminder
from .preferences import DIGEST, ClinicDigestSettings

__all__ = ["EMAIL", "email_digest_addresses", "without_digested_email"]

EMAIL = "email"

_user = UserRow.__table__  # type: ignore[attr-defined]
_preference = ReminderPreferenceRow.__table__  # type: ignore[attr-defined]


def email_digest_addresses(session: Session) -> set[str]:
    """The addresses whose task reminders go in a digest: those of active users who chose
    it, less any address an active user who did not choose it shares (their tasks' emails
    must still arrive one by one, and their digest would not list them)."""
    rows = session.execute(
        select(_user.c.email, _preference.c.delivery)
        .select_from(_user)
        .outerjoin(_preference, _preference.c.username == _user.c.username)
        .where(_user.c.active.is_(True), _user.c.email.is_not(None), _user.c.email != "")
    )
    digest: set[str] = set()
    immediate: set[str] = set()
    for email, delivery in rows:
        (digest if delivery == DIGEST else immediate).add(email)
    return digest - immediate


def _in_digest(recipients: tuple[str, ...], addresses: set[str], clinic_digest: bool) -> bool:
    if not recipients:
        return clinic_digest
    return all(address in addresses for address in recipients)


def without_digested_email(
    session: Session,
    planned: Iterable[PlannedReminder],
    channels: Iterable[str],
    clinic: ClinicDigestSettings,
) -> Iterator[PlannedReminder]:
    """``planned`` with the email channel taken off the task reminders of recipients who
    take a digest (nothing changes when email is not a configured channel)."""
    configured = list(channels)
    if EMAIL not in configured:
        yield from planned
        return
    addresses = email_digest_addresses(session)
    clinic_digest = clinic.delivery == DIGEST
    for reminder in planned:
        is_task = reminder.task_id is not None and reminder.alert_id is None
        if is_task and _in_digest(reminder.reminder.recipients, addresses, clinic_digest):
            going = configured if reminder.channels is None else reminder.channels
            kept = [c for c in going if c != EMAIL]
            yield replace(reminder, channels=tuple(kept))
        else:
            yield reminder
