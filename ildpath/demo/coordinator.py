"""The care coordinator of the demo: works the open-task list each day (CLINICAL_SPEC §8).

Routine work is not planned ahead: the coordinator does what the engine's task list says,
mostly before the due date, sometimes late (the patient's `Habits`), so the tasks, overdue
alerts and reminders are the engine's own. Every choice is seeded by the cohort seed, the
patient and the task key, so the same cohort is worked the same way.
"""

import random
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ..usecases.tasks import OpenTask
from .plan import DemoPlanError, PatientPlan, PlannedEvent

__all__ = ["Coordinator"]

_ON_TIME = {
    "hrct": (2, 10),
    "plasma_exchange": (1, 8),
    "pjp_prophylaxis": (0, 3),
    "bone_protection": (0, 21),
    "pulmonary_rehabilitation": (14, 55),
}
"""Days after the task opened, when it is done on time."""
_LATE = {"cmv_test": (2, 5), "plasma_exchange": (2, 5), "pft": (3, 25)}
"""Days after the due date, when it is done late (other kinds: 2 to 20)."""
_LATE_ENTRY_KINDS = ("pft", "hrct", "vaccination", "procedure")
_HRCT_FINDINGS = (
    ("more reticulation and traction bronchiectasis, lower lobes", False),
    ("new ground-glass opacities superimposed on reticulation", True),
    ("progressive fibrosis, no new consolidation", False),
    ("patchy consolidation with ground-glass opacities, organising pneumonia pattern", True),
)


def _bounded(value: int, last: int, floor: int, best: int) -> int:
    """Not above the best, not below the floor (unless the last value already was)."""
    return min(max(value, min(last, floor)), best)


@dataclass
class _Pfts:
    """The patient's PFTs so far: routine PFTs stay near the last one, never above the best,
    and never 3 (FVC) or 6 (DLCO) points below it, so they raise no progression alert."""

    fvc: int
    dlco: int
    best_fvc: int
    best_dlco: int
    litres_per_point: float

    def next(self, rng: random.Random) -> dict[str, object]:
        fvc = _bounded(self.fvc + rng.randint(-1, 1), self.fvc, self.best_fvc - 3, self.best_fvc)
        dlco = _bounded(
            self.dlco + rng.randint(-2, 2), self.dlco, self.best_dlco - 6, self.best_dlco
        )
        return {"fvc_pct": fvc, "dlco_pct": dlco, "fvc_l": round(fvc * self.litres_per_point, 2)}


class Coordinator:
    """Turns the day's open tasks into the entries a coordinator makes for them."""

    def __init__(self, seed: int, plans: Mapping[str, PatientPlan], end: date) -> None:
        self._seed = seed
        self._plans = plans
        self._end = end
        self._handled: dict[tuple[str, str], date] = {}
        self._cmv_tests: Counter[str] = Counter()
        self._pfts: dict[str, _Pfts] = {}

    def saw_pft(self, patient_id: str, values: Mapping[str, Any]) -> None:
        """Keep track of every PFT recorded for the patient (planned or routine)."""
        fvc, dlco = int(values["fvc_pct"]), int(values["dlco_pct"])
        known = self._pfts.get(patient_id)
        litres = float(values.get("fvc_l") or fvc * 0.035) / fvc
        best = (max(fvc, known.best_fvc), max(dlco, known.best_dlco)) if known else (fvc, dlco)
        self._pfts[patient_id] = _Pfts(fvc, dlco, best[0], best[1], litres)

    def work(self, tasks: Iterable[OpenTask], day: date) -> list[tuple[str, PlannedEvent]]:
        """The entries made today for the open tasks whose time has come."""
        entries: list[tuple[str, PlannedEvent]] = []
        for task in sorted(tasks, key=lambda t: (t.due_on, t.patient_id, t.key)):
            handled = self._handled.get((task.patient_id, task.key))
            if handled is not None:
                if handled < day - timedelta(days=1):
                    raise DemoPlanError(
                        f"{task.patient_id}: task {task.key} still open on {day} after the "
                        f"entry recorded for it on {handled}"
                    )
                continue
            made = self._entries(task, day)
            if made:
                self._handled[(task.patient_id, task.key)] = max(e.recorded_on for e in made)
                entries.extend((task.patient_id, e) for e in made)
        return entries

    def _entries(self, task: OpenTask, day: date) -> list[PlannedEvent]:
        plan = self._plans[task.patient_id]
        habits = plan.habits
        if task.kind == "transplant_referral":
            return []  # a clinician's decision: planned in the course
        if habits.absent_from is not None and day >= habits.absent_from:
            return []
        if task.kind.removeprefix("vaccination_") in habits.declined_vaccines:
            return []
        rng = random.Random(f"ildpath-demo:{self._seed}:{task.patient_id}:{task.key}")
        if self._when(task, rng) > day:
            return []
        actions = self._actions(task, rng)
        late_days = 0
        if actions[0][0] in _LATE_ENTRY_KINDS and rng.random() < habits.late_entry_share:
            late_days = rng.randint(1, 4)
            limit = self._end
            if plan.closes_on is not None:
                limit = min(limit, plan.closes_on - timedelta(days=1))
            if day + timedelta(days=late_days) > limit:
                late_days = 0
        return [PlannedEvent(day, kind, data, late_days) for kind, data in actions]

    def _late_share(self, task: OpenTask) -> float:
        habits = self._plans[task.patient_id].habits
        if task.kind == "cmv_test":
            if self._cmv_tests[task.patient_id] + 1 == habits.missed_cmv:
                return 1.0
            return habits.late_share / 4
        if task.kind == "plasma_exchange":
            return 1.0 if habits.late_plasma_exchange else 0.0
        return habits.late_share

    def _when(self, task: OpenTask, rng: random.Random) -> date:
        """The day the task is done: on time (mostly), or late."""
        late = rng.random() < self._late_share(task)
        early = rng.randint(0, 14)
        if late:
            low, high = _LATE.get(task.kind, (2, 20))
            return task.due_on + timedelta(days=rng.randint(low, high))
        if task.kind in _ON_TIME:
            low, high = _ON_TIME[task.kind]
            return task.opened_on + timedelta(days=rng.randint(low, high))
        if task.kind == "cmv_test":
            return task.due_on - timedelta(days=early % 2)
        if task.kind.startswith("vaccination_"):
            return task.opened_on + timedelta(days=2 + early * 25 // 14)
        window = (task.due_on - task.opened_on).days
        return task.due_on - timedelta(days=min(early, max(window - 1, 0)))

    def _actions(self, task: OpenTask, rng: random.Random) -> list[tuple[str, dict[str, object]]]:
        if task.kind == "bone_protection":
            return self._bone_protection(task.patient_id)
        return [self._action(task, rng)]

    def _bone_protection(self, patient_id: str) -> list[tuple[str, dict[str, object]]]:
        """[S0] calcium and vitamin D, plus a bisphosphonate with osteoporosis."""
        starts: list[tuple[str, dict[str, object]]] = [
            ("start", {"agent": "calcium", "route": "oral", "dose_mg_per_day": 1000.0}),
            ("start", {"agent": "vitamin_d", "route": "oral"}),
        ]
        if "osteoporosis" in self._plans[patient_id].enrolment.risk_factors:
            starts.append(
                ("start", {"agent": "alendronate", "route": "oral", "dose_mg_per_day": 10.0})
            )
        return starts

    def _action(self, task: OpenTask, rng: random.Random) -> tuple[str, dict[str, object]]:
        patient_id = task.patient_id
        if task.kind == "pft":
            known = self._pfts.get(patient_id)
            if known is None:
                fvc, dlco = rng.randint(60, 85), rng.randint(40, 70)
                return "pft", {"fvc_pct": fvc, "dlco_pct": dlco}
            return "pft", known.next(rng)
        if task.kind == "cmv_test":
            return "cmv", {"iu_per_ml": self._cmv_result(patient_id, rng)}
        if task.kind == "hrct":
            finding, ggo = rng.choice(_HRCT_FINDINGS)
            return "hrct", {"finding": finding, "extensive_ggo": ggo}
        if task.kind.startswith("vaccination_"):
            return "vaccination", {"kind": task.kind.removeprefix("vaccination_")}
        if task.kind in ("plasma_exchange", "pulmonary_rehabilitation"):
            return "procedure", {"kind": task.kind}
        if task.kind == "pjp_prophylaxis":
            return "start", {"agent": "tmp_smx", "route": "oral", "dose_mg_per_day": 480.0}
        raise ValueError(f"the demo coordinator has no entry for task {task.kind}")

    def _cmv_result(self, patient_id: str, rng: random.Random) -> float:
        """0 IU/mL, except around the n-th test of a patient planned to reactivate."""
        self._cmv_tests[patient_id] += 1
        test_number = self._cmv_tests[patient_id]
        planned = self._plans[patient_id].habits.cmv_reactivation
        if planned is not None and test_number == planned:
            return float(rng.randint(6, 40) * 100)
        if planned is not None and test_number == planned + 1:
            return float(rng.randint(1, 5) * 100)
        return 0.0
