"""How an alert stands on a day (CLINICAL_SPEC §7a), in the same words wherever it is shown:
*withdrawn* (within its recording day: kept, shown apart, counted nowhere), *holding*, or
*cleared on D* (still awaiting its acknowledgement). Lists rank holding alerts above cleared
ones, so what still needs acting on comes first."""

from datetime import date, datetime
from typing import Any, Protocol

__all__ = [
    "StandingAlert",
    "holds",
    "lifecycle_fields",
    "standing_text",
    "withdrawn",
    "withdrawn_day",
]


class StandingAlert(Protocol):
    """The lifecycle columns of an alert row (an ``AlertRow`` or a plain row of its columns)."""

    @property
    def raised_on(self) -> date: ...
    @property
    def clinical_on(self) -> date | None: ...
    @property
    def status(self) -> str: ...
    @property
    def withdrawn_at(self) -> datetime | None: ...
    @property
    def withdrawn_by(self) -> str | None: ...
    @property
    def cleared_on(self) -> date | None: ...
    @property
    def cleared_by(self) -> str | None: ...


def withdrawn(alert: StandingAlert) -> bool:
    """Withdrawn within its recording day: in no list, count or measure (§7a)."""
    return alert.status == "withdrawn"


def _cleared_on(alert: StandingAlert, day: date) -> date | None:
    """The clearing day if it is on or before ``day`` (a view of an earlier day shows the
    alert holding then)."""
    return alert.cleared_on if alert.cleared_on is not None and alert.cleared_on <= day else None


def holds(alert: StandingAlert, day: date) -> bool:
    """Not withdrawn and not cleared on ``day`` (§7a "holds")."""
    return not withdrawn(alert) and _cleared_on(alert, day) is None


def withdrawn_day(alert: StandingAlert) -> date:
    """The day it was withdrawn: its recording day (§7a), read from the withdrawal instant."""
    return alert.withdrawn_at.date() if alert.withdrawn_at is not None else alert.raised_on


def standing_text(alert: StandingAlert, day: date) -> str:
    """``holding``, ``cleared on 2026-03-03`` or ``withdrawn by tr1 on 2026-03-02``."""
    if withdrawn(alert):
        return f"withdrawn by {alert.withdrawn_by or 'a same-day entry'} on {withdrawn_day(alert)}"
    cleared = _cleared_on(alert, day)
    return "holding" if cleared is None else f"cleared on {cleared}"


def lifecycle_fields(alert: StandingAlert, day: date) -> dict[str, Any]:
    """The lifecycle as plain fields (API JSON, ``--json``, reports), as of ``day``."""
    cleared = None if withdrawn(alert) else _cleared_on(alert, day)
    return {
        "status": alert.status,
        "clinical_on": alert.clinical_on or alert.raised_on,
        "holds": holds(alert, day),
        "cleared_on": cleared,
        "cleared_by": alert.cleared_by if cleared is not None else None,
        "withdrawn_by": alert.withdrawn_by,
        "withdrawn_at": alert.withdrawn_at,
        "standing": standing_text(alert, day),
    }
