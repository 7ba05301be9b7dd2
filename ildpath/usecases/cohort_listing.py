"""The SQL of the cohort's working list (`ildpath.usecases.cohort.find_patients`): per-patient
aggregates of open tasks and unacknowledged alerts, the query's filters, and its order.

Urgency (CLINICAL_SPEC §7a, issue "The coordinator's working day"): unacknowledged alerts that
hold before cleared ones, critical before warning, overdue tasks before due ones. A closed
patient's alerts are not joined at all, and a closed patient ranks last.
"""

from datetime import date, timedelta
from itertools import product
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, not_, or_
from sqlmodel import col, select

from pathway.catalogue import ANTI_BODY_STATUSES, ILD_COURSES
from pathway.machine import STATES
from pathway.phenotype import phenotype_group
from persistence.tables import AlertRow, CareTaskRow, PatientRow

from .cohort_query import SEVERITY_RANK, CohortQuery, id_prefix_pattern

__all__ = ["SEVERITIES", "WEEK_DAYS", "Listing", "due_in_force", "open_on"]

WEEK_DAYS = 7
"""'This week' is the next seven days, today included."""

SEVERITIES = ("critical", "warning", "info")


def due_in_force() -> Any:
    """A task's date in force: the rescheduled date when a person moved it (§8)."""
    return func.coalesce(col(CareTaskRow.rescheduled_to), col(CareTaskRow.due_on))


def open_on(day: date) -> ColumnElement[bool]:
    return and_(col(CareTaskRow.status) == "open", col(CareTaskRow.opened_on) <= day)


def needs_completion() -> ColumnElement[bool]:
    """A phenotype that lacks what the pathway needs (``CohortQuery.needs_completion``): the
    ILD course (start_induction from diagnosis needs it, §3) or the anti-MDA5 status (it
    decides the phenotype group, §4), as an EHR import leaves them when the EHR cannot tell."""
    return or_(col(PatientRow.ild_course).is_(None), col(PatientRow.anti_mda5) == "unknown")


def _phenotype() -> Any:
    """§4's phenotype group as SQL, built from `phenotype_group` itself over every value the
    two columns may hold, so the board and the pathway never disagree."""
    whens = [
        (
            and_(
                col(PatientRow.anti_mda5) == mda5,
                col(PatientRow.ild_course).is_(None)
                if course is None
                else col(PatientRow.ild_course) == course,
            ),
            literal(phenotype_group(mda5, course)),
        )
        for mda5, course in product(ANTI_BODY_STATUSES, (*ILD_COURSES, None))
    ]
    return case(*whens, else_=literal("unclassified"))


def _task_totals(day: date) -> Any:
    due = due_in_force()
    return (
        select(
            col(CareTaskRow.patient_id).label("pid"),
            func.count().label("open_tasks"),
            func.sum(case((due < day, 1), else_=0)).label("overdue"),
            func.min(due).label("next_due"),
        )
        .where(open_on(day))
        .group_by(col(CareTaskRow.patient_id))
        .subquery()
    )


def _alert_totals(day: date) -> Any:
    """Unacknowledged standing alerts by severity, holding (``h_``) or cleared (``c_``) on
    ``day``; withdrawn alerts left out (§7a)."""
    holds = or_(col(AlertRow.cleared_on).is_(None), col(AlertRow.cleared_on) > day)

    def tally(severity: str, holding: bool) -> Any:
        standing = holds if holding else not_(holds)
        hit = and_(col(AlertRow.severity) == severity, standing)
        return func.sum(case((hit, 1), else_=0)).label(f"{'h' if holding else 'c'}_{severity}")

    columns = [tally(s, h) for h in (True, False) for s in SEVERITIES]
    return (
        select(col(AlertRow.patient_id).label("pid"), *columns)
        .where(
            col(AlertRow.acknowledged_at).is_(None),
            col(AlertRow.raised_on) <= day,
            col(AlertRow.status) != "withdrawn",
        )
        .group_by(col(AlertRow.patient_id))
        .subquery()
    )


def _task_wanted(query: CohortQuery, day: date) -> ColumnElement[bool]:
    """An open task matching every task filter at once (kind, due window, assignee)."""
    due = due_in_force()
    conditions = [col(CareTaskRow.patient_id) == col(PatientRow.id), open_on(day)]
    if query.task_kind:
        conditions.append(col(CareTaskRow.kind) == query.task_kind)
    if query.assignee:
        conditions.append(col(CareTaskRow.assignee) == query.assignee)
    if query.due == "overdue":
        conditions.append(due < day)
    elif query.due == "today":
        conditions.append(due == day)
    elif query.due == "week":
        conditions.append(and_(due >= day, due < day + timedelta(days=WEEK_DAYS)))
    return exists(select(CareTaskRow.id).where(*conditions))


class Listing:
    """The query's SQL: the filtered patients with their aggregates, and its order."""

    def __init__(self, query: CohortQuery, day: date) -> None:
        self.query, self.day = query, day
        self.tasks, self.alerts = _task_totals(day), _alert_totals(day)
        self.phenotype = _phenotype().label("phenotype")

    def count(self, prefix: str, severities: tuple[str, ...] = SEVERITIES) -> Any:
        return sum(
            (func.coalesce(getattr(self.alerts.c, f"{prefix}_{s}"), 0) for s in severities),
            literal(0),
        )

    def columns(self) -> list[Any]:
        t = self.tasks.c
        alert_columns = [
            func.coalesce(getattr(self.alerts.c, f"{p}_{s}"), 0).label(f"{p}_{s}")
            for p in ("h", "c")
            for s in SEVERITIES
        ]
        return [
            PatientRow.id,
            PatientRow.external_id,
            PatientRow.state,
            PatientRow.state_since,
            PatientRow.diagnosis,
            PatientRow.anti_mda5,
            PatientRow.anti_ars,
            PatientRow.ild_course,
            self.phenotype,
            func.coalesce(t.open_tasks, 0).label("open_tasks"),
            func.coalesce(t.overdue, 0).label("overdue"),
            t.next_due.label("next_due"),
            *alert_columns,
        ]

    def select(self, *columns: Any) -> Any:
        # a closed patient's alerts count nowhere (§7a): not joined at all
        alerts_on = and_(self.alerts.c.pid == col(PatientRow.id), col(PatientRow.state) != "closed")
        statement = (
            select(*columns)
            .select_from(PatientRow)
            .outerjoin(self.tasks, self.tasks.c.pid == col(PatientRow.id))
            .outerjoin(self.alerts, alerts_on)
        )
        return statement.where(*self.where())

    def where(self) -> list[Any]:
        query, day = self.query, self.day
        conditions: list[Any] = [col(PatientRow.enrolled_on) <= day]
        if not query.lists_closed:
            conditions.append(col(PatientRow.state) != "closed")
        if query.states:
            conditions.append(col(PatientRow.state).in_(query.states))
        if query.needs_completion:
            conditions.append(needs_completion())
        if query.phenotype:
            conditions.append(_phenotype() == query.phenotype)
        if query.task_kind or query.due or query.assignee:
            conditions.append(_task_wanted(query, day))
        if query.alerts or query.alert_severity:
            floor = SEVERITY_RANK[query.alert_severity or "info"]
            severities = tuple(s for s in SEVERITIES if SEVERITY_RANK[s] >= floor)
            prefixes = {"holding": ("h",), "cleared": ("c",)}.get(query.alerts or "", ("h", "c"))
            conditions.append(sum(self.count(p, severities) for p in prefixes) > 0)
        if query.search:
            text = query.search.strip().lower()
            lowered = func.lower(col(PatientRow.external_id))
            begins = lowered.like(id_prefix_pattern(text), escape="\\")
            conditions.append(or_(lowered == text, begins))
        return conditions

    def order(self) -> list[Any]:
        query, t = self.query, self.tasks.c
        urgency = [
            case((col(PatientRow.state) == "closed", 1), else_=0),
            -self.count("h", ("critical",)),
            -self.count("h", ("warning",)),
            -func.coalesce(t.overdue, 0),
            -self.count("c", ("critical",)),
            -self.count("c", ("warning",)),
            -self.count("h", ("info",)),
            case((t.next_due.is_(None), 1), else_=0),
            t.next_due,
        ]
        orders: dict[str, list[Any]] = {
            "urgency": [],
            "patient": [func.lower(col(PatientRow.external_id))],
            "state": [case(*((col(PatientRow.state) == s, i) for i, s in enumerate(STATES)))],
            "phenotype": [self.phenotype],
            "next_due": [case((t.next_due.is_(None), 1), else_=0), t.next_due],
            "overdue": [-func.coalesce(t.overdue, 0)],
            "alerts": urgency[1:3] + urgency[4:7],
        }
        chosen = orders[query.sort_by]
        if query.descending:
            chosen = [c.desc() for c in chosen]
        exact = []
        if query.search:
            lowered = func.lower(col(PatientRow.external_id))
            exact = [case((lowered == query.search.strip().lower(), 0), else_=1)]
        return [*exact, *chosen, *urgency, col(PatientRow.external_id)]
