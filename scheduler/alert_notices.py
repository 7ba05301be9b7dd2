"""Critical-alert notices (issue 3) and their withdrawal notices (CLINICAL_SPEC §7a).

One notice per critical alert per channel, planned while the alert stands unacknowledged and
is under a year old: an alert a clinician already acknowledged needs no one to be told of it.
An alert withdrawn within its recording day gets no notice; if its notice was already sent, one
withdrawal notice follows on the channels that carried it.

Whether a notice is planned on a channel is read from the outbox's columns (alert, channel,
kind), not from its key, so notices planned by an older release (keys without the
installation id) are not sent again after an upgrade."""

from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlmodel import Session

from persistence.tables import AlertRow, PatientRow, ReminderDeliveryRow

from .notifiers.wording import DISCLAIMER
from .planned import PlannedReminder, reminder_key
from .reminder import Reminder

__all__ = ["CRITICAL", "WITHDRAWN", "critical_notices", "withdrawal_notices", "withdrawal_text"]

CRITICAL = "critical_alert"
"""The reminder kind of a critical-alert notice."""
WITHDRAWN = "alert_withdrawn"
"""The reminder kind of a withdrawal notice."""
WINDOW_DAYS = 365
"""An alert raised longer ago than this gets no notice (an old import's history is not news)."""

_alert = AlertRow.__table__  # type: ignore[attr-defined]
_patient = PatientRow.__table__  # type: ignore[attr-defined]
_outbox = ReminderDeliveryRow.__table__  # type: ignore[attr-defined]


def _noticed(channel: str) -> Any:
    """Whether the outer query's alert has its notice in the outbox on ``channel``."""
    return (
        exists()
        .where(
            _outbox.c.alert_id == _alert.c.id,
            _outbox.c.channel == channel,
            _outbox.c.kind == CRITICAL,
        )
        .correlate(_alert)
    )


def critical_notices(
    session: Session, day: date, channels: Sequence[str], installation: str
) -> Iterator[PlannedReminder]:
    """A notice for every standing, unacknowledged critical alert raised within the window,
    on each channel that has none yet."""
    channels = list(channels)
    if not channels:
        return
    alerts = session.execute(
        select(
            _alert.c.id,
            _alert.c.patient_id,
            _alert.c.code,
            _alert.c.raised_on,
            _patient.c.external_id,
            *(_noticed(channel) for channel in channels),
        )
        .join(_patient, _patient.c.id == _alert.c.patient_id)
        .where(
            _alert.c.severity == "critical",
            _alert.c.status != "withdrawn",
            _alert.c.acknowledged_at.is_(None),
            _alert.c.raised_on <= day,
            _alert.c.raised_on >= day - timedelta(days=WINDOW_DAYS),
        )
        .order_by(_alert.c.id)
    )
    for alert_id, patient_row_id, code, raised_on, patient_id, *noticed in alerts:
        missing = tuple(c for c, done in zip(channels, noticed, strict=True) if not done)
        if not missing:
            continue
        text = (
            f"Patient {patient_id}: CRITICAL alert {code} raised "
            f"{raised_on.isoformat()}. {DISCLAIMER}"
        )
        yield PlannedReminder(
            Reminder(
                reminder_key(installation, f"alert:{alert_id}", CRITICAL),
                CRITICAL,
                patient_id,
                code,
                None,
                text,
                "critical",
            ),
            patient_row_id,
            alert_id=alert_id,
            channels=missing,
        )


def withdrawal_text(patient_id: str, code: str, raised_on: date, by: str | None) -> str:
    """What a withdrawal notice says, in full (the log and webhook ``text``)."""
    return (
        f"Patient {patient_id}: CRITICAL alert {code} raised {raised_on.isoformat()} was "
        "WITHDRAWN: the same day's entries show its cause did not hold "
        f"— {by or 'a same-day entry'}. The earlier notice no longer applies; nothing is "
        f"to be acknowledged for it. {DISCLAIMER}"
    )


def withdrawal_notices(
    session: Session, day: date, channels: Sequence[str], installation: str
) -> Iterator[PlannedReminder]:
    """A withdrawal notice for every withdrawn alert whose critical notice was sent, on each
    configured channel that sent it and has no withdrawal notice yet (§7a)."""
    withdrawal = _outbox.alias("withdrawal")
    rows = session.execute(
        select(
            _alert.c.id,
            _alert.c.patient_id,
            _alert.c.code,
            _alert.c.raised_on,
            _alert.c.withdrawn_at,
            _alert.c.withdrawn_by,
            _patient.c.external_id,
            _outbox.c.channel,
        )
        .join(_outbox, _outbox.c.alert_id == _alert.c.id)
        .join(_patient, _patient.c.id == _alert.c.patient_id)
        .where(
            _alert.c.status == "withdrawn",
            _alert.c.raised_on >= day - timedelta(days=WINDOW_DAYS),
            _outbox.c.kind == CRITICAL,
            _outbox.c.status == "sent",
            _outbox.c.channel.in_(list(channels)),
            ~exists().where(
                withdrawal.c.alert_id == _outbox.c.alert_id,
                withdrawal.c.channel == _outbox.c.channel,
                withdrawal.c.kind == WITHDRAWN,
            ),
        )
        .order_by(_alert.c.id, _outbox.c.channel)
    )
    on: dict[int, list[str]] = {}
    found: dict[int, tuple[Any, ...]] = {}
    for row in rows:
        found.setdefault(row.id, tuple(row))
        on.setdefault(row.id, []).append(row.channel)
    for alert_id, (_, patient_row_id, code, raised_on, at, by, patient_id, _) in found.items():
        yield PlannedReminder(
            Reminder(
                reminder_key(installation, f"alert:{alert_id}", WITHDRAWN),
                WITHDRAWN,
                patient_id,
                code,
                at.date() if at is not None else raised_on,
                withdrawal_text(patient_id, code, raised_on, by),
                "critical",
                withdrawn_by=by,
            ),
            patient_row_id,
            alert_id=alert_id,
            channels=tuple(on[alert_id]),
        )
