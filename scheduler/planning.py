"""Which reminders to plan on a day (issues 3 and 21): for each open task due by ``day``, at
most one reminder per channel, saying where the task stands now (`task_reminders`,
`reminder_sequence`); a notice for every standing, unacknowledged critical alert, and a
withdrawal notice after a sent notice whose alert was withdrawn within its day
(`alert_notices`, CLINICAL_SPEC §7a).

Missed days are not caught up: after downtime, or when a channel is turned on for a cohort
with years of history, each task gets one reminder of its current status, and the cadence
counts from the last one delivered.

Every key starts with the installation id, so two clinics never share a Message-ID or an
Idempotency-Key even where their row ids agree.

The queries read plain columns, not ORM objects: the scheduler walks every open task due by
``day`` on each pass (thousands of them in a large clinic), and building an identity-mapped
object per row costs more than the rest of planning together."""

from collections.abc import Iterator, Sequence
from datetime import UTC, date, tzinfo

from sqlmodel import Session

from .alert_notices import WITHDRAWN, critical_notices, withdrawal_notices, withdrawal_text
from .planned import PlannedReminder
from .task_reminders import task_reminders

__all__ = ["WITHDRAWN", "PlannedReminder", "due_reminders", "withdrawal_text"]


def due_reminders(
    session: Session,
    day: date,
    cadence_days: int,
    channels: Sequence[str],
    installation: str,
    zone: tzinfo = UTC,
) -> Iterator[PlannedReminder]:
    """What to plan on ``day`` on ``channels`` that is not in the outbox yet, each reminder
    keyed under ``installation``; ``zone`` is the clinic's, in which a delivery's day is
    read."""
    yield from task_reminders(session, day, cadence_days, channels, installation, zone)
    yield from critical_notices(session, day, channels, installation)
    yield from withdrawal_notices(session, day, channels, installation)
