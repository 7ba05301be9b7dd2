"""What the demo plans for one synthetic patient: dated events and the coordinator's habits.

A plan is plain data. The replay applies it through the use cases, as people at the clinic
would; nothing here touches the database.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ..usecases import EnrolPatient

__all__ = ["DemoPlanError", "Habits", "PatientPlan", "PlannedEvent"]


class DemoPlanError(RuntimeError):
    """The engine refused a planned entry, or a task stayed open after the entry made for it:
    a bug in the demo's plan, never skipped."""


@dataclass(frozen=True)
class PlannedEvent:
    """One entry as a person makes it: its clinical date ``on``, recorded ``late_days`` later.

    ``kind`` is an observation kind (pft, cmv, hrct, oxygen), a therapy action (start,
    stop), procedure, vaccination, trigger, amend or acknowledge.
    """

    on: date
    kind: str
    data: dict[str, Any] = field(default_factory=dict)
    late_days: int = 0

    @property
    def recorded_on(self) -> date:
        return self.on + timedelta(days=self.late_days)


@dataclass
class Habits:
    """How the care team works this patient's task list (the coordinator's side of the demo).

    ``late_share``: share of routine tasks done after their due date. ``absent_from``: the
    patient stops attending (no routine work from that day). ``missed_cmv`` / ``cmv_reactivation``:
    the n-th CMV test is done late / comes back positive. ``late_plasma_exchange``: the
    plasma exchange is done after its 14-day window. ``declined_vaccines``: never given.
    """

    late_share: float = 0.0
    late_entry_share: float = 0.05
    absent_from: date | None = None
    missed_cmv: int | None = None
    cmv_reactivation: int | None = None
    late_plasma_exchange: bool = False
    declined_vaccines: tuple[str, ...] = ()


@dataclass
class PatientPlan:
    """One synthetic patient: enrolment, the planned course, and the coordinator's habits."""

    enrolment: EnrolPatient
    archetype: str
    events: list[PlannedEvent]
    habits: Habits
    closes_on: date | None = None

    @property
    def id(self) -> str:
        return self.enrolment.id
