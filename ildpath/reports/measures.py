"""The audit measures of CLINICAL_SPEC §10, counted over a cohort and a period.

Each measure says what it counts (numerator, denominator or n) and how, so a clinic lead can
check any figure by hand. Per-patient facts come from `pathway.adherence`, judged with the
same definitions the engine advised with; this module only tallies them.
"""

from dataclasses import dataclass, field
from datetime import date
from statistics import median

from pathway.adherence import (
    TaskTimeliness,
    high_oxygen_first_recorded,
    pjp_coverage_days,
    plasma_exchange_within,
    status_on,
    task_timeliness,
    triple_therapy_start,
)
from pathway.chart import Chart
from pathway.definition import PathwayDefinition
from pathway.labels import days, labelled

from .cohort_data import PatientBundle

__all__ = ["Measure", "MeasureTally", "TaskCounts"]


@dataclass(frozen=True)
class Measure:
    """One figure of the report. A share has numerator and denominator; a median has n."""

    code: str
    label: str
    kind: str  # "share", "median_days" or "count"
    value: float | None
    numerator: int | None = None
    denominator: int | None = None
    n: int | None = None
    definition: str = ""
    unit: str = ""


@dataclass
class TaskCounts:
    """How the tasks of one kind due in the period were done."""

    on_time: int = 0
    late: int = 0
    missed: int = 0
    pending: int = 0
    cancelled: int = 0
    declined: int = 0

    def add(self, judged: TaskTimeliness) -> None:
        setattr(self, judged.value, getattr(self, judged.value) + 1)

    @property
    def judged(self) -> int:
        return self.on_time + self.late + self.missed


def _share(num: int, den: int) -> float | None:
    return round(100 * num / den, 1) if den else None


def _median(values: list[int]) -> float | None:
    return float(median(values)) if values else None


@dataclass
class MeasureTally:
    """Adds each patient's facts as the cohort streams past."""

    start: date
    end: date
    definition: PathwayDefinition
    patients: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    days_to_induction: list[int] = field(default_factory=list)
    awaiting_induction: int = 0
    mda5_triple_simultaneous: int = 0
    mda5_triple_judged: int = 0
    mda5_days_to_third_agent: list[int] = field(default_factory=list)
    mda5_refractory_with_pe: int = 0
    mda5_refractory_judged: int = 0
    high_oxygen_referred: int = 0
    high_oxygen_patients: int = 0
    pft: TaskCounts = field(default_factory=TaskCounts)
    cmv: TaskCounts = field(default_factory=TaskCounts)
    pjp_exposed_days: int = 0
    pjp_covered_days: int = 0
    declined: dict[str, int] = field(default_factory=dict)
    """Tasks declined by a person (§8), by kind: counted apart from every on-time measure."""
    _graces: dict[str, int] = field(init=False, repr=False)
    _task_counts: dict[str, TaskCounts] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        """The audited task kinds with their grace, set once rather than per patient."""
        self._graces = {
            "pft": self.definition.audit_grace_days,
            "cmv_test": self.definition.audit_cmv_grace_days,
        }
        self._task_counts = {"pft": self.pft, "cmv_test": self.cmv}

    def add(self, bundle: PatientBundle) -> None:
        chart = Chart(bundle.record.known_on(self.end), self.definition)
        self.patients += 1
        state = chart.course.state_on(self.end)
        self.by_state[state] = self.by_state.get(state, 0) + 1
        enrolled_in_period = self.start <= bundle.record.enrolled_on <= self.end
        if enrolled_in_period:
            self._induction(chart)
        if chart.phenotype(self.end).mda5_positive:
            if enrolled_in_period:
                self._triple_therapy(chart)
            self._plasma_exchange(chart)
        self._oxygen(chart)
        self._tasks(bundle)
        exposed, covered = pjp_coverage_days(chart, self.start, self.end)
        self.pjp_exposed_days += exposed
        self.pjp_covered_days += covered

    def _induction(self, chart: Chart) -> None:
        first = next(iter(chart.course.all_of("start_induction")), None)
        if first is None or first.on > self.end:
            self.awaiting_induction += 1
        else:
            self.days_to_induction.append((first.on - chart.record.enrolled_on).days)

    def _triple_therapy(self, chart: Chart) -> None:
        started = triple_therapy_start(chart, self.end)
        if started is None or not started.judged_by(self.end):
            return
        self.mda5_triple_judged += 1
        self.mda5_triple_simultaneous += started.simultaneous
        if started.complete_on is not None:
            days = (started.complete_on - chart.record.enrolled_on).days
            self.mda5_days_to_third_agent.append(days)

    def _plasma_exchange(self, chart: Chart) -> None:
        window = self.definition.plasma_exchange_window_days
        for refractory in chart.course.all_of("declare_refractory"):
            if not self.start <= refractory.on <= self.end:
                continue
            if not chart.phenotype(refractory.on).mda5_positive:
                continue
            done = plasma_exchange_within(chart, refractory.on, self.end)
            if done is None and (self.end - refractory.on).days <= window:
                continue  # the window is still open: not yet judged
            self.mda5_refractory_judged += 1
            self.mda5_refractory_with_pe += done is not None

    def _oxygen(self, chart: Chart) -> None:
        first = high_oxygen_first_recorded(chart, self.start, self.end)
        if first is None:
            return
        self.high_oxygen_patients += 1
        referrals = [t.on for t in chart.course.all_of("refer_transplant") if t.on <= self.end]
        already = chart.course.state_on(first) == "transplant_referral"
        self.high_oxygen_referred += already or any(on >= first for on in referrals)

    def _tasks(self, bundle: PatientBundle) -> None:
        counts, graces, start, end = self._task_counts, self._graces, self.start, self.end
        for task in bundle.tasks:
            if not start <= task.due_on <= end:
                continue
            if status_on(task.status, task.closed_on, end) == "declined":
                self.declined[task.kind] = self.declined.get(task.kind, 0) + 1
            if task.kind not in counts:
                continue
            status = status_on(task.status, task.closed_on, end)
            judged = task_timeliness(task.due_on, status, task.closed_on, end, graces[task.kind])
            counts[task.kind].add(judged)

    def measures(self) -> list[Measure]:
        grace = self.definition.audit_grace_days
        window = self.definition.plasma_exchange_window_days
        simultaneity = self.definition.triple_therapy_window_days
        return [
            Measure(
                "patients",
                "Patients in care during the period",
                "count",
                self.patients,
                n=self.patients,
                definition="Enrolled on or before the end, not closed before the start.",
            ),
            Measure(
                "median_days_enrolment_to_induction",
                "Median days from enrolment to induction",
                "median_days",
                _median(self.days_to_induction),
                n=len(self.days_to_induction),
                definition="Patients enrolled in the period with start_induction by the "
                f"end; {self.awaiting_induction} enrolled in the period not yet induced.",
                unit="days",
            ),
            Measure(
                "mda5_simultaneous_triple_therapy",
                "Anti-MDA5 positive: started on simultaneous triple therapy",
                "share",
                _share(self.mda5_triple_simultaneous, self.mda5_triple_judged),
                self.mda5_triple_simultaneous,
                self.mda5_triple_judged,
                definition="Anti-MDA5 positive patients enrolled in the period whose first "
                "agent's window has closed (or all three started): high-dose "
                "glucocorticoid, CNI or mycophenolate, and cyclophosphamide or rituximab "
                f"all started within {days(simultaneity)} of the first.",
                unit="%",
            ),
            Measure(
                "mda5_median_days_enrolment_to_third_agent",
                "Anti-MDA5 positive: median days from enrolment to the third agent",
                "median_days",
                _median(self.mda5_days_to_third_agent),
                n=len(self.mda5_days_to_third_agent),
                definition="Same patients, those with all three groups started.",
                unit="days",
            ),
            Measure(
                "mda5_refractory_plasma_exchange",
                f"Refractory anti-MDA5: plasma exchange within {days(window)}",
                "share",
                _share(self.mda5_refractory_with_pe, self.mda5_refractory_judged),
                self.mda5_refractory_with_pe,
                self.mda5_refractory_judged,
                definition=f"{labelled('declare_refractory', 'trigger')} in the period while "
                "anti-MDA5 positive, "
                "window closed or plasma exchange done.",
                unit="%",
            ),
            Measure(
                "high_oxygen_referred",
                "High-flow oxygen or more: referred for transplant evaluation",
                "share",
                _share(self.high_oxygen_referred, self.high_oxygen_patients),
                self.high_oxygen_referred,
                self.high_oxygen_patients,
                definition="Patients with high-flow oxygen, ventilation or ECMO first "
                f"recorded in the period: {labelled('refer_transplant', 'trigger')} on or after "
                f"it by the end, or already in {labelled('transplant_referral', 'state')}.",
                unit="%",
            ),
            Measure(
                "pft_on_time",
                f"PFTs done on time (due date + {days(grace)} grace)",
                "share",
                _share(self.pft.on_time, self.pft.judged),
                self.pft.on_time,
                self.pft.judged,
                definition=f"PFT tasks due in the period: {self.pft.late} late, "
                f"{self.pft.missed} missed, {self.pft.pending} within grace (not judged), "
                f"{self.pft.cancelled} cancelled (not counted).",
                unit="%",
            ),
            Measure(
                "cmv_on_time",
                "CMV tests done on time during intensive immunosuppression",
                "share",
                _share(self.cmv.on_time, self.cmv.judged),
                self.cmv.on_time,
                self.cmv.judged,
                definition=f"{labelled('cmv_test', 'task')} tasks due in the period, on time = "
                f"by the due date + {days(self.definition.audit_cmv_grace_days)}: "
                f"{self.cmv.late} late, "
                f"{self.cmv.missed} missed, {self.cmv.pending} not yet judged, "
                f"{self.cmv.cancelled} cancelled (intensive immunosuppression ended).",
                unit="%",
            ),
            Measure(
                "tasks_declined",
                "Tasks declined (counted apart)",
                "count",
                sum(self.declined.values()),
                n=sum(self.declined.values()),
                definition="Tasks due in the period (by the engine's date) that a coordinator "
                "or clinician declined with a reason (§8): "
                + (", ".join(f"{kind} {n}" for kind, n in sorted(self.declined.items())) or "none")
                + ". They count in no on-time measure.",
            ),
            Measure(
                "pjp_prophylaxis_coverage",
                "PJP prophylaxis coverage on high-dose glucocorticoids",
                "share",
                _share(self.pjp_covered_days, self.pjp_exposed_days),
                self.pjp_covered_days,
                self.pjp_exposed_days,
                definition="Patient-days in the period on a high-dose glucocorticoid "
                "(prednisone-equivalent >= threshold, or IV methylprednisolone) with "
                "a PJP prophylaxis agent active (tmp_smx, atovaquone, dapsone or pentamidine).",
                unit="% of days",
            ),
        ]
