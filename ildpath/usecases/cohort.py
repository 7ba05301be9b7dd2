"""The coordinator's working list of patients: who is where, what is open, what is overdue,
the most urgent first, one page at a time.

One query (`find_patients`) serves the CLI, the API and the board, so all three find and sort
alike. Ranking and paging happen in SQL over per-patient aggregates of open tasks and
unacknowledged alerts, so a page of 50 costs the same for 100 patients or 10,000.

Urgency (CLINICAL_SPEC §7a, issue "The coordinator's working day"): unacknowledged alerts that
hold before cleared ones, critical before warning, overdue tasks before due ones: holding
critical alerts, then holding warnings, then overdue tasks, then cleared critical and cleared
warning alerts awaiting acknowledgement, then the soonest task due. Alerts withdrawn within
their recording day count nowhere; a closed patient's alerts count nowhere and a closed
patient ranks last.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, func
from sqlmodel import Session, col, select

from pathway.machine import STATES
from persistence.tables import CareTaskRow, PatientRow

from ..bootstrap import App
from .cohort_listing import SEVERITIES, WEEK_DAYS, Listing, due_in_force, open_on
from .cohort_query import PAGE_SIZE, SEVERITY_RANK, CohortQuery, Paged

__all__ = [
    "SEVERITY_RANK",
    "CohortEntry",
    "CohortPage",
    "CohortQuery",
    "TaskTally",
    "WorkCounts",
    "find_patients",
    "list_cohort",
]


@dataclass(frozen=True)
class TaskTally:
    """A patient's open tasks of one kind: how many, the soonest date in force, and how many
    days the most overdue of them is late (0 when none is)."""

    kind: str
    count: int
    due_on: date
    days_overdue: int


@dataclass(frozen=True)
class CohortEntry:
    patient_id: str
    state: str
    state_since: date
    phenotype: str
    diagnosis: str
    anti_mda5: str
    anti_ars: str
    ild_course: str | None
    next_task: str | None = None
    next_due_on: date | None = None
    open_tasks: int = 0
    overdue_tasks: int = 0
    unacknowledged_alerts: dict[str, int] = field(default_factory=dict)
    """Standing alerts not yet acknowledged, by severity: holding and cleared ones."""
    holding_alerts: dict[str, int] = field(default_factory=dict)
    """Of those, the ones that still hold (§7a), by severity: what ranks a patient."""
    tasks_by_kind: tuple[TaskTally, ...] = ()
    """Every open task, by kind, the most overdue (then the soonest) first."""

    @property
    def cleared_alerts(self) -> dict[str, int]:
        """Unacknowledged alerts that are cleared, by severity."""
        return {
            s: n - self.holding_alerts.get(s, 0)
            for s, n in self.unacknowledged_alerts.items()
            if n - self.holding_alerts.get(s, 0)
        }

    @property
    def highest_severity(self) -> str | None:
        present = [s for s, n in self.unacknowledged_alerts.items() if n]
        return max(present, key=SEVERITY_RANK.__getitem__) if present else None

    @property
    def urgent(self) -> bool:
        """Drawn as urgent: an overdue task, or an unacknowledged critical alert that holds."""
        return self.overdue_tasks > 0 or self.holding_alerts.get("critical", 0) > 0


@dataclass(frozen=True)
class WorkCounts:
    """Open tasks of patients not closed: overdue, due today, due in the next 7 days."""

    overdue: int = 0
    today: int = 0
    week: int = 0


@dataclass(frozen=True)
class CohortPage(Paged):
    """One page of the list, with what the whole list holds."""

    entries: list[CohortEntry]
    total: int
    """Patients matching the query, on every page."""
    offset: int
    limit: int
    state_counts: dict[str, int]
    """Patients enrolled by state, the whole cohort (the board's counts row)."""
    work: WorkCounts

    @property
    def shown(self) -> int:
        return len(self.entries)


def _as_date(value: Any) -> Any:
    """A date column as a date (SQLite returns MIN over a COALESCE of dates as text)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _entry(row: Any, tallies: tuple[TaskTally, ...]) -> CohortEntry:
    holding = {s: int(getattr(row, f"h_{s}")) for s in SEVERITIES if getattr(row, f"h_{s}")}
    standing = {
        s: int(getattr(row, f"h_{s}")) + int(getattr(row, f"c_{s}"))
        for s in SEVERITIES
        if getattr(row, f"h_{s}") or getattr(row, f"c_{s}")
    }
    first = tallies[0] if tallies else None
    soonest = min(tallies, key=lambda t: t.due_on) if tallies else None
    return CohortEntry(
        patient_id=row.external_id,
        state=row.state,
        state_since=row.state_since,
        phenotype=row.phenotype,
        diagnosis=row.diagnosis,
        anti_mda5=row.anti_mda5,
        anti_ars=row.anti_ars,
        ild_course=row.ild_course,
        next_task=(first.kind if first and first.days_overdue else soonest.kind)
        if soonest
        else None,
        next_due_on=_as_date(row.next_due),
        open_tasks=int(row.open_tasks),
        overdue_tasks=int(row.overdue),
        unacknowledged_alerts=standing,
        holding_alerts=holding,
        tasks_by_kind=tallies,
    )


def _tallies(session: Session, ids: list[int], day: date) -> dict[int, tuple[TaskTally, ...]]:
    """The open tasks of these patients by kind: one query for the page."""
    if not ids:
        return {}
    due = due_in_force()
    rows = session.exec(
        select(col(CareTaskRow.patient_id), col(CareTaskRow.kind), func.count(), func.min(due))
        .where(open_on(day), col(CareTaskRow.patient_id).in_(ids))
        .group_by(col(CareTaskRow.patient_id), col(CareTaskRow.kind))
    )
    found: dict[int, list[TaskTally]] = {}
    for pid, kind, count, soonest in rows:
        soonest = _as_date(soonest)
        late = max(0, (day - soonest).days)
        found.setdefault(pid, []).append(TaskTally(kind, int(count), soonest, late))
    return {
        pid: tuple(sorted(t, key=lambda x: (-x.days_overdue, x.due_on, x.kind)))
        for pid, t in found.items()
    }


def _state_counts(session: Session, day: date) -> dict[str, int]:
    rows = session.exec(
        select(col(PatientRow.state), func.count())
        .where(col(PatientRow.enrolled_on) <= day)
        .group_by(col(PatientRow.state))
    )
    counts = dict(rows.all())
    return {state: int(counts.get(state, 0)) for state in STATES}


def _work_counts(session: Session, day: date) -> WorkCounts:
    due = due_in_force()
    week_end = day + timedelta(days=WEEK_DAYS)
    row = session.exec(
        select(
            func.sum(case((due < day, 1), else_=0)),
            func.sum(case((due == day, 1), else_=0)),
            func.sum(case((and_(due >= day, due < week_end), 1), else_=0)),
        )
        .join(PatientRow, col(PatientRow.id) == col(CareTaskRow.patient_id))
        .where(open_on(day), col(PatientRow.state) != "closed")
    ).one()
    return WorkCounts(*(int(n or 0) for n in row))


def find_patients(
    app: App,
    query: CohortQuery,
    *,
    offset: int = 0,
    limit: int = PAGE_SIZE,
    as_of: date | None = None,
) -> CohortPage:
    """One page of the patients the query asks for, in its order, with the cohort's counts."""
    query.check()
    day = as_of or app.clock.today()
    listing = Listing(query, day)
    with app.transaction() as session:
        # the count of all matches rides on the page's own rows (one aggregation, not two)
        rows = session.exec(
            listing.select(*listing.columns(), func.count().over().label("total"))
            .order_by(*listing.order())
            .offset(offset)
            .limit(limit)
        ).all()
        total = rows[0].total if rows else _count(session, listing) if offset else 0
        tallies = _tallies(session, [r.id for r in rows], day)
        state_counts = _state_counts(session, day)
        work = _work_counts(session, day)
    entries = [_entry(r, tallies.get(r.id, ())) for r in rows]
    return CohortPage(entries, int(total), offset, limit, state_counts, work)


def _count(session: Session, listing: Listing) -> int:
    """All matches, for a page past the last one (which has no row to carry the count)."""
    found = session.exec(select(func.count()).select_from(listing.select(PatientRow.id).subquery()))
    return int(found.one())


def list_cohort(app: App, query: CohortQuery, as_of: date | None = None) -> list[CohortEntry]:
    """Every patient the query asks for, in its order (reports and tests; lists page)."""
    return find_patients(app, query, limit=1_000_000, as_of=as_of).entries
