"""Fast-forward the clinic day by day: the planned entries, the coordinator's task work, the
scheduler's daily job and the clinician's acknowledgements, on a simulated clock.

Each entry goes through the use cases on the day it is recorded. The daily job (evaluation
and reminder dispatch to a quiet log channel only: synthetic patients never reach a real
inbox) runs every ``job_every_days`` and on the last day; it catches up the days between, so
overdue alerts are raised on their own day. The one alert that starts to hold without a new
entry and is also raised when an entry is recorded, MDA5_STEP_UP_THERAPY (day F + 4, §7), would
then be raised on the next entry's day: for patients who may be anti-MDA5 positive, in the
weeks after enrolment when every demo course starts its first agent, the patient's daily
evaluation is caught up to the day before each entry.
"""

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, timedelta

from pathway.errors import ClinicalError
from scheduler.notifiers.base import Notifier
from scheduler.notifiers.log import LogNotifier

from ..bootstrap import App
from ..clock import SimulatedClock
from ..jobs import run_day
from ..usecases import enrol_patient
from .acknowledgements import acknowledgements
from .apply import COORDINATOR, apply_event
from .coordinator import Coordinator
from .plan import DemoPlanError, PatientPlan, PlannedEvent
from .worklist import worklist

__all__ = ["JOB_EVERY_DAYS", "Replay", "quiet_notifiers"]

JOB_EVERY_DAYS = 28
"""The daily job runs every four weeks in the demo, and on the last day: it catches up the
days between, so the alerts are those of a daily run (tests compare), and the demo builds in
a fraction of the time a job run more often would take."""


def quiet_notifiers() -> dict[str, Notifier]:
    """Only the log channel, on a logger that writes nowhere."""
    logger = logging.getLogger("ildpath.demo.reminders")
    logger.propagate = False
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
    return {"log": LogNotifier(logger)}


class Replay:
    def __init__(
        self,
        app: App,
        plans: Iterable[PatientPlan],
        seed: int,
        end: date,
        *,
        job_every_days: int = JOB_EVERY_DAYS,
    ) -> None:
        if not isinstance(app.clock, SimulatedClock):
            raise TypeError("the demo moves the clock: build the app with a SimulatedClock")
        self.app, self.clock, self.seed, self.end = app, app.clock, seed, end
        self.plans = {p.id: p for p in plans}
        self.job_every_days = job_every_days
        self.coordinator = Coordinator(seed, self.plans, end)
        self.events = 0
        self._enrolments: dict[date, list[PatientPlan]] = defaultdict(list)
        self._queue: dict[date, list[tuple[str, PlannedEvent]]] = defaultdict(list)
        for plan in self.plans.values():
            self._enrolments[plan.enrolment.enrolled_on].append(plan)
            self._queue_all((plan.id, e) for e in plan.events)
        self._notifiers = quiet_notifiers()

    @property
    def first_day(self) -> date:
        return min(self._enrolments, default=self.end)

    def run(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Replay every day from the first enrolment to the end; returns the number of days."""
        first = self.first_day
        days = (self.end - first).days + 1
        for index in range(days):
            day = first + timedelta(days=index)
            self.clock.move_to(day)
            self._day(day, job=index % self.job_every_days == 0 or index == days - 1)
            if progress is not None:
                progress(index + 1, days)
        return days

    def _queue_all(self, entries: Iterable[tuple[str, PlannedEvent]]) -> None:
        for patient_id, event in entries:
            self._queue[event.recorded_on].append((patient_id, event))

    def _day(self, day: date, *, job: bool) -> None:
        for plan in self._enrolments.pop(day, []):
            enrol_patient(self.app, plan.enrolment, COORDINATOR)
            self.events += 1
        for patient_id, event in self._queue.pop(day, []):
            self._apply(patient_id, event, day)
        work = self.coordinator.work(worklist(self.app, day), day)
        for patient_id, event in work:
            if event.recorded_on == day:
                self._apply(patient_id, event, day)
            else:
                self._queue[event.recorded_on].append((patient_id, event))
        if job:
            run_day(self.app, day, self._notifiers)
        for patient_id, event in list(acknowledgements(self.app, self.seed, day)):
            self._apply(patient_id, event, day)

    def _apply(self, patient_id: str, event: PlannedEvent, day: date) -> None:
        try:
            apply_event(self.app, patient_id, event)
        except ClinicalError as error:
            plan = self.plans[patient_id]
            raise DemoPlanError(
                f"{patient_id} ({plan.archetype}) on {day}: {event.kind} {event.data} "
                f"dated {event.on} was refused: {error}"
            ) from error
        self.events += 1
        if event.kind == "pft":
            self.coordinator.saw_pft(patient_id, event.data)
