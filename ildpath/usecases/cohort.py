"""The coordinator's cohort board: who is where, what is due next, what is overdue.

Three aggregate queries (patients, open tasks, unacknowledged alerts) rather than one record
per patient, so the board stays quick as the cohort grows.

Alerts withdrawn within their recording day are counted nowhere; an unacknowledged alert that
holds ranks above one that is cleared (still awaiting its acknowledgement); a closed patient's
alerts rank nowhere (CLINICAL_SPEC §7a).
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, or_
from sqlmodel import Session, col, select

from pathway.codes import Severity
from pathway.errors import InvalidValue
from pathway.machine import STATES
from pathway.phenotype import PHENOTYPE_GROUPS, phenotype_group
from persistence.tables import AlertRow, CareTaskRow, PatientRow

from ..bootstrap import App

__all__ = ["SEVERITY_RANK", "CohortEntry", "CohortFilter", "list_cohort"]

SEVERITY_RANK = {Severity.INFO.value: 0, Severity.WARNING.value: 1, Severity.CRITICAL.value: 2}


@dataclass(frozen=True)
class CohortFilter:
    """Empty fields do not filter. ``alert_severity``: at least one unacknowledged alert of
    this severity or higher."""

    states: tuple[str, ...] = ()
    phenotype: str | None = None
    overdue_only: bool = False
    alert_severity: str | None = None

    def check(self) -> None:
        for state in self.states:
            if state not in STATES:
                raise InvalidValue("state", state, ", ".join(STATES))
        if self.phenotype is not None and self.phenotype not in PHENOTYPE_GROUPS:
            raise InvalidValue("phenotype", self.phenotype, ", ".join(PHENOTYPE_GROUPS))
        if self.alert_severity is not None and self.alert_severity not in SEVERITY_RANK:
            raise InvalidValue("alert_severity", self.alert_severity, ", ".join(SEVERITY_RANK))


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


@dataclass
class _OpenTasks:
    """One patient's open tasks, tallied from a single pass over the open-task rows."""

    soonest: date
    kind: str
    total: int = 0
    overdue: int = 0


def _open_tasks(session: Session, as_of: date) -> dict[int, _OpenTasks]:
    """patient -> soonest due task (kind and date), open and overdue counts: one query."""
    rows = session.exec(
        select(col(CareTaskRow.patient_id), col(CareTaskRow.kind), col(CareTaskRow.due_on))
        .where(CareTaskRow.status == "open", CareTaskRow.opened_on <= as_of)
        .order_by(col(CareTaskRow.due_on), col(CareTaskRow.kind))
    )
    tallies: dict[int, _OpenTasks] = {}
    for patient_row_id, kind, due in rows:
        tally = tallies.setdefault(patient_row_id, _OpenTasks(due, kind))
        tally.total += 1
        tally.overdue += due < as_of
    return tallies


def _alert_totals(
    session: Session, as_of: date
) -> tuple[dict[int, dict[str, int]], dict[int, dict[str, int]]]:
    """patient -> severity -> count of unacknowledged standing alerts, and of those that hold
    on ``as_of``: one query. Withdrawn alerts are left out (§7a)."""
    holding = case(
        (or_(col(AlertRow.cleared_on).is_(None), col(AlertRow.cleared_on) > as_of), 1), else_=0
    )
    rows = session.exec(
        select(AlertRow.patient_id, AlertRow.severity, func.count(), func.sum(holding))
        .where(
            col(AlertRow.acknowledged_at).is_(None),
            AlertRow.raised_on <= as_of,
            AlertRow.status != "withdrawn",
        )
        .group_by(col(AlertRow.patient_id), col(AlertRow.severity))
    )
    totals: dict[int, dict[str, int]] = {}
    holds: dict[int, dict[str, int]] = {}
    for patient_row_id, severity, count, still in rows:
        totals.setdefault(patient_row_id, {})[severity] = count
        if still:
            holds.setdefault(patient_row_id, {})[severity] = int(still)
    return totals, holds


def _wanted(entry: CohortEntry, wanted: CohortFilter) -> bool:
    if wanted.phenotype is not None and entry.phenotype != wanted.phenotype:
        return False
    if wanted.overdue_only and not entry.overdue_tasks:
        return False
    if wanted.alert_severity is not None:
        floor = SEVERITY_RANK[wanted.alert_severity]
        return any(SEVERITY_RANK[s] >= floor and n for s, n in entry.unacknowledged_alerts.items())
    return True


def _sort_key(entry: CohortEntry) -> tuple[bool, date, str]:
    """Soonest next due date first; patients with nothing due last."""
    return (entry.next_due_on is None, entry.next_due_on or date.max, entry.patient_id)


def list_cohort(app: App, wanted: CohortFilter, as_of: date | None = None) -> list[CohortEntry]:
    """The patients matching the filter, soonest next due task first."""
    wanted.check()
    day = as_of or app.clock.today()
    with app.transaction() as session:
        query = select(PatientRow).where(PatientRow.enrolled_on <= day)
        if wanted.states:
            query = query.where(col(PatientRow.state).in_(wanted.states))
        patients = list(session.exec(query))
        tasks = _open_tasks(session, day)
        alerts, holding = _alert_totals(session, day)
    entries = []
    for patient in patients:
        open_tasks = tasks.get(patient.id or 0)
        closed = patient.state == "closed"
        entry = CohortEntry(
            patient_id=patient.external_id,
            state=patient.state,
            state_since=patient.state_since,
            phenotype=phenotype_group(patient.anti_mda5, patient.ild_course),
            diagnosis=patient.diagnosis,
            anti_mda5=patient.anti_mda5,
            anti_ars=patient.anti_ars,
            ild_course=patient.ild_course,
            next_task=open_tasks.kind if open_tasks else None,
            next_due_on=open_tasks.soonest if open_tasks else None,
            open_tasks=open_tasks.total if open_tasks else 0,
            overdue_tasks=open_tasks.overdue if open_tasks else 0,
            # a closed patient's alerts rank nowhere (§7a): not in the worklist's counts
            unacknowledged_alerts={} if closed else alerts.get(patient.id or 0, {}),
            holding_alerts={} if closed else holding.get(patient.id or 0, {}),
        )
        if _wanted(entry, wanted):
            entries.append(entry)
    return sorted(entries, key=_sort_key)
