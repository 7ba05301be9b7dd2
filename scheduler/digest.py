"""Daily digests: one email a day per recipient who chose it, at their hour, in their zone.

Each dispatch pass asks, for every digest recipient (an active user in digest mode with an
email address; the clinic's list when ``ILDPATH_CLINIC_REMINDERS=digest``): has their local
clock reached the digest hour, and is there no digest for their local date yet? If so, one
outbox row (channel ``email``, kind ``digest``) lists their due and overdue open tasks and the
critical alerts raised since their previous digest; the dispatcher sends it like any other.

* **Once a day.** The key names the installation, the recipient and the local date, and the
  row is inserted with ON CONFLICT DO NOTHING: many passes, a restart or two schedulers still
  make one.
* **Never late for a missed day.** Only today's (local) digest is ever planned: after a week
  down, the first pass past the hour sends today's, which lists whatever is still open.
* **Nothing to say, no email.** A day with no due or overdue task and no new alert gets no
  digest (and is asked again on the next pass, in case a task falls due later that day).
* **Routing** is the immediate reminders' (`scheduler.planning`): a task assigned to an active
  user with an address is theirs; any other (unassigned, or its assignee without an address or
  deactivated) is the clinic list's.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from persistence.account_tables import ReminderPreferenceRow, UserRow
from persistence.installation import installation_id
from persistence.tables import AlertRow, CareTaskRow, PatientRow, ReminderDeliveryRow

from .digest_content import CLINIC, DIGEST_KIND, DailyDigest, DigestAlert, DigestTask
from .preferences import DIGEST, ClinicDigestSettings
from .routing import EMAIL

__all__ = ["ClinicDigestSettings", "DigestRecipient", "digest_recipients", "plan_digests"]

FIRST_DIGEST_LOOKBACK = timedelta(hours=24)
"""A recipient's first digest lists the critical alerts of the 24 hours before its hour."""
PREVIOUS_DIGEST_DAYS = 7
"""How far back a previous digest is looked for (by its key: one indexed lookup); none in
that week counts as a first digest."""

_task = CareTaskRow.__table__  # type: ignore[attr-defined]
_alert = AlertRow.__table__  # type: ignore[attr-defined]
_patient = PatientRow.__table__  # type: ignore[attr-defined]
_user = UserRow.__table__  # type: ignore[attr-defined]
_preference = ReminderPreferenceRow.__table__  # type: ignore[attr-defined]
_outbox = ReminderDeliveryRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class DigestRecipient:
    name: str
    """A username, or ``clinic`` for the clinic's list."""
    to: tuple[str, ...]
    """Their address; empty for the clinic's list (the email channel's own list)."""
    hour: int
    timezone: str


def digest_recipients(session: Session, clinic: ClinicDigestSettings) -> list[DigestRecipient]:
    """Who takes a digest: active users in digest mode with an address, then the clinic's
    list when it is in digest mode. A user in digest mode without an address has no digest:
    their tasks are the clinic list's."""
    users = session.execute(
        select(_user.c.username, _user.c.email, _preference.c.digest_hour, _preference.c.timezone)
        .join(_preference, _preference.c.username == _user.c.username)
        .where(
            _preference.c.delivery == DIGEST,
            _user.c.active.is_(True),
            _user.c.email.is_not(None),
            _user.c.email != "",
        )
        .order_by(_user.c.username)
    )
    found = [DigestRecipient(name, (email,), hour, zone) for name, email, hour, zone in users]
    if clinic.delivery == DIGEST:
        found.append(DigestRecipient(CLINIC, (), clinic.hour, clinic.timezone))
    return found


def _key(installation: str, recipient: str, day: date) -> str:
    return f"{installation}:digest:{recipient}:{day.isoformat()}:{EMAIL}"


def _planned(session: Session, key: str) -> bool:
    return session.execute(select(_outbox.c.id).where(_outbox.c.key == key)).first() is not None


def _alerts_since(
    session: Session, installation: str, recipient: str, day: date, until: datetime
) -> datetime:
    """Where the previous digest's alerts ended (the newest of the week before), else 24
    hours before this one's hour."""
    back = range(1, PREVIOUS_DIGEST_DAYS + 1)
    keys = [_key(installation, recipient, day - timedelta(days=n)) for n in back]
    messages = session.execute(
        select(_outbox.c.planned_on, _outbox.c.message)
        .where(_outbox.c.key.in_(keys))
        .order_by(_outbox.c.planned_on.desc())
        .limit(1)
    ).first()
    if messages is not None and messages.message.get("alerts_until"):
        return datetime.fromisoformat(messages.message["alerts_until"])
    return until - FIRST_DIGEST_LOOKBACK


def _routed(recipient: str) -> ColumnElement[bool]:
    """The open tasks whose reminders go to ``recipient`` (the same routing as the immediate
    reminders: the assignee's address when they are active and have one, else the clinic's
    list)."""
    if recipient != CLINIC:
        return and_(_task.c.status == "open", _task.c.assignee == recipient)
    has_address = select(_user.c.username).where(
        _user.c.username == _task.c.assignee,
        _user.c.active.is_(True),
        _user.c.email.is_not(None),
        _user.c.email != "",
    )
    return and_(_task.c.status == "open", ~has_address.exists())


def _tasks(session: Session, recipient: str, day: date) -> list[DigestTask]:
    in_force = func.coalesce(_task.c.rescheduled_to, _task.c.due_on)
    rows = session.execute(
        select(_patient.c.external_id, _task.c.kind, in_force)
        .join(_patient, _patient.c.id == _task.c.patient_id)
        .where(_routed(recipient), in_force <= day)
        .order_by(in_force, _patient.c.external_id, _task.c.kind)
    )
    return [DigestTask(patient, kind, due, (day - due).days) for patient, kind, due in rows]


def _alerts(
    session: Session, recipient: str, since: datetime, until: datetime
) -> list[DigestAlert]:
    """Critical alerts that stand (not withdrawn, §7a) raised in [since, until): for a
    person, those of the patients with an open task of theirs; for the clinic's list, all."""
    query = (
        select(_patient.c.external_id, _alert.c.code, _alert.c.raised_on)
        .join(_patient, _patient.c.id == _alert.c.patient_id)
        .where(
            _alert.c.severity == "critical",
            _alert.c.status != "withdrawn",
            _alert.c.raised_at >= since,
            _alert.c.raised_at < until,
        )
        .order_by(_alert.c.raised_at, _alert.c.id)
    )
    if recipient != CLINIC:
        theirs = select(_task.c.patient_id).where(_routed(recipient))
        query = query.where(_alert.c.patient_id.in_(theirs))
    return [
        DigestAlert(patient, code, raised_on) for patient, code, raised_on in session.execute(query)
    ]


def _digest(
    session: Session, installation: str, recipient: DigestRecipient, now: datetime
) -> tuple[str, DailyDigest] | None:
    """Today's digest of ``recipient`` if their hour has come and none is planned yet."""
    zone = ZoneInfo(recipient.timezone)
    day = now.astimezone(zone).date()
    until = datetime.combine(day, time(recipient.hour), tzinfo=zone).astimezone(UTC)
    key = _key(installation, recipient.name, day)
    if now < until or _planned(session, key):
        return None
    since = _alerts_since(session, installation, recipient.name, day, until)
    digest = DailyDigest(
        recipient=recipient.name,
        day=day,
        hour=recipient.hour,
        timezone=recipient.timezone,
        tasks=tuple(_tasks(session, recipient.name, day)),
        alerts=tuple(_alerts(session, recipient.name, since, until)),
        alerts_since=since,
        alerts_until=until,
    )
    return key, digest


def _row(
    key: str, recipient: DigestRecipient, digest: DailyDigest, now: datetime
) -> dict[str, Any]:
    """An outbox row the dispatcher sends like any reminder (the fields a `Reminder` is read
    from, plus the digest's own)."""
    return {
        "key": key,
        "patient_id": None,
        "task_id": None,
        "alert_id": None,
        "channel": EMAIL,
        "kind": DIGEST_KIND,
        "status": "pending",
        "attempts": 0,
        "message": {
            "key": key,
            "kind": DIGEST_KIND,
            "patient_id": "",
            "subject": DIGEST_KIND,
            "due_on": digest.day.isoformat(),
            "text": digest.summary(),
            "severity": "info",
            "withdrawn_by": None,
            "to": list(recipient.to),
            **digest.to_message(),
        },
        "planned_on": digest.day,
        "created_at": now,
    }


def plan_digests(
    session: Session, now: datetime, channels: Iterable[str], clinic: ClinicDigestSettings
) -> int:
    """Plan the digests due by ``now`` (when email is a configured channel); returns how
    many are new. Committed by the caller, with the pass's other planning."""
    if EMAIL not in channels:
        return 0
    recipients = digest_recipients(session, clinic)
    if not recipients:
        return 0
    installation = installation_id(session.connection())
    assert installation is not None  # made on first use
    rows = []
    for recipient in recipients:
        found = _digest(session, installation, recipient, now)
        if found is not None and not found[1].empty:
            rows.append(_row(found[0], recipient, found[1], now))
    if not rows:
        return 0
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(_outbox).on_conflict_do_nothing(index_elements=["key"])
    result = session.execute(statement, rows, execution_options={"preserve_rowcount": True})
    return result.rowcount  # type: ignore[attr-defined,no-any-return]
