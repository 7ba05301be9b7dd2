"""Judging one patient on a day: the alerts not raised before and the care task rows to open,
update or cancel, as the one writer's items.

Pure values, so a person's entry (one patient) and the daily run (a batch) decide the same
changes in the same order and leave the same audit trail.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from pathway import Evaluation, PathwayDefinition, PatientRecord, evaluate
from pathway.findings import Alert, CareTask
from pathway.lifecycle import AlertFate, Clearing, fates
from pathway.record import OCCURRENCE_MARK, AlertRaised
from pathway.rules.monitoring import OVERDUE_ALERTS
from persistence.changes import (
    ENGINE,
    AlertFateChange,
    Audit,
    Item,
    NewAlert,
    StoredTask,
    TaskChange,
)
from persistence.records import ALERT_PREFIX

__all__ = ["Judgement", "judge", "missed_days", "task_changes", "unraised", "with_alert"]


@dataclass(frozen=True)
class Judgement:
    """What judging a patient on ``evaluation.as_of`` changes: the items to write, the last
    day judged, and the record the day was judged on (with the alerts of the days missed
    before it: what the quiet horizon reckons from)."""

    evaluation: Evaluation
    items: list[Item]
    judged_until: date | None
    record: PatientRecord


def _task_fields(task: CareTask) -> dict[str, Any]:
    return {
        "due_on": task.due_on,
        "status": task.status.value,
        "closed_on": task.closed_on,
        "opened_on": task.opened_on,
        "rescheduled_to": task.rescheduled_to,
        "assignee": task.assignee,
        "declined_reason": task.declined_reason,
    }


def task_changes(
    stored_in_order: Iterable[StoredTask], tasks: Iterable[CareTask], today: date
) -> Iterator[TaskChange]:
    """Make the task rows say what the pathway says; a row the pathway no longer derives (a
    late entry rewrote the course) is cancelled on ``today``, never deleted. The stored rows
    come in id order, so cancellations are audited in the order the rows were opened."""
    rows = list(stored_in_order)
    stored = {row.key: row for row in rows}
    derived: set[str] = set()
    for task in tasks:
        derived.add(task.key)
        row = stored.get(task.key)
        fields = _task_fields(task)
        payload = {"key": task.key, "kind": task.kind, **fields}
        if row is None:
            audit = Audit("task_opened", payload, task.opened_on, ENGINE)
            yield TaskChange(task.key, fields, audit, task=task)
        elif any(getattr(row, k) != v for k, v in fields.items()):
            audit = Audit("task_updated", payload, None, ENGINE)
            yield TaskChange(task.key, fields, audit, task=task, stored=row)
    for row in rows:
        if row.key not in derived and row.status == "open":
            payload = {
                "key": row.key,
                "kind": row.kind,
                "status": "cancelled",
                "why": "no longer follows from the record",
            }
            audit = Audit("task_updated", payload, None, ENGINE)
            yield TaskChange(
                row.key, {"status": "cancelled", "closed_on": today}, audit, stored=row
            )


def missed_days(last_evaluated_on: date | None, enrolled_on: date, as_of: date) -> list[date]:
    """The days since the last daily run and before ``as_of`` that were never judged."""
    first = (last_evaluated_on or enrolled_on - timedelta(days=1)) + timedelta(days=1)
    return [first + timedelta(days=n) for n in range((as_of - first).days)]


def unraised(raised: Iterable[AlertRaised], alerts: Iterable[Alert]) -> list[Alert]:
    """The alerts whose key has not been raised before (each key once). A key whose alert was
    withdrawn (§7a) is raised again as a new occurrence, ``key@2``: the withdrawn row keeps
    its key."""
    earlier = list(raised)
    seen = {a.base_key for a in earlier if not a.withdrawn}
    taken = {a.key for a in earlier}
    fresh: list[Alert] = []
    for alert in alerts:
        if alert.key in seen:
            continue
        seen.add(alert.key)
        key, n = alert.key, 1
        while key in taken:
            n += 1
            key = f"{alert.key}{OCCURRENCE_MARK}{n}"
        fresh.append(alert if key == alert.key else replace(alert, key=key))
    return fresh


def with_alert(
    record: PatientRecord, alert: Alert, day: date, clinical_on: date | None = None
) -> PatientRecord:
    """The record with an alert just raised, as the next day's evaluation must see it."""
    raised = AlertRaised(alert.code, alert.key, day, alert.evidence, clinical_on)
    return record.appended("alerts", raised)


def _fate_change(fate: AlertFate, day: date) -> AlertFateChange:
    """The row change and audit event of one alert's withdrawal or clearing."""
    alert = fate.alert
    alert_id = int(alert.id.removeprefix(ALERT_PREFIX))
    payload: dict[str, Any] = {"alert_id": alert_id, "code": alert.code, "key": alert.key}
    if fate.uncleared:
        payload["why"] = "the day's later entries leave its cause as it was"
        fields: dict[str, Any] = {"cleared_on": None, "cleared_by": None}
        fields["cleared_recorded_on"] = None
        return AlertFateChange(
            alert_id, fields, Audit("alert_clearing_undone", payload, day, ENGINE)
        )
    if fate.withdrawn_by is not None or fate.cleared is None:
        payload["withdrawn_by"] = fate.withdrawn_by
        fields = {"status": "withdrawn", "withdrawn_by": fate.withdrawn_by}
        return AlertFateChange(alert_id, fields, Audit("alert_withdrawn", payload, day, ENGINE))
    cleared = fate.cleared
    payload.update(cleared_on=cleared.on, cleared_by=cleared.by)
    fields = {"cleared_on": cleared.on, "cleared_by": cleared.by, "cleared_recorded_on": day}
    return AlertFateChange(alert_id, fields, Audit("alert_cleared", payload, cleared.on, ENGINE))


def _lifecycle(
    record: PatientRecord,
    evaluation: Evaluation,
    raised: list[NewAlert],
    today: date,
    written: Sequence[object],
) -> Iterator[Item]:
    """The stored alerts withdrawn or cleared (§7a), then the alerts to raise (``raised``:
    those of the days missed and of the day judged), each with its clearing when it is
    already met."""
    if evaluation.state == "closed":
        yield from raised
        return
    cleared: dict[str, Clearing] = {a.key: c for a, c in evaluation.clearings}
    holding = {a.key for a in evaluation.alerts}
    stored = (a for a in record.alerts if a.id)
    for fate in fates(stored, holding, cleared, today, written, record.enrolled_on):
        yield _fate_change(fate, today)
    for new in raised:
        clearing = cleared.get(new.alert.key.partition(OCCURRENCE_MARK)[0])
        if clearing is not None:
            new = replace(new, cleared_on=clearing.on, cleared_by=clearing.by)
        yield new


def judge(
    record: PatientRecord,
    stored: Sequence[StoredTask],
    last_evaluated_on: date | None,
    day: date,
    today: date,
    definition: PathwayDefinition,
    *,
    daily: bool,
    written: Sequence[object] = (),
) -> Judgement:
    """Judge the days missed since ``last_evaluated_on`` (each as known on that day, so a
    scheduler that was down never makes an alert late, and a late entry never raises one in
    the past), then ``day`` itself, and what becomes of the alerts already raised after the
    entries ``written`` (`pathway.lifecycle`).

    Overdue alerts wait for the daily run (``daily``): a day is judged after all of its
    events (§9), so a PFT recorded later the same day is not reported overdue in between."""
    raised: list[NewAlert] = []
    days = missed_days(last_evaluated_on, record.enrolled_on, day)
    for missed in days:
        for alert in unraised(record.alerts, evaluate(record, missed, definition).alerts):
            raised.append(NewAlert(alert, missed))
            record = with_alert(record, alert, missed)
    evaluation = evaluate(record, day, definition)
    alerts = evaluation.alerts
    if not daily:
        alerts = tuple(a for a in alerts if a.code not in OVERDUE_ALERTS)
    cause = max((getattr(e, "on", day) for e in written), default=None)
    if cause is not None:
        cause = max(cause, record.enrolled_on)  # no alert dated before enrolment (§11)
    raised.extend(NewAlert(alert, day, cause) for alert in unraised(record.alerts, alerts))
    items: list[Item] = list(_lifecycle(record, evaluation, raised, today, written))
    items.extend(task_changes(stored, evaluation.tasks, today))
    judged_until = day if daily else (days[-1] if days else last_evaluated_on)
    return Judgement(evaluation, items, judged_until, record)
