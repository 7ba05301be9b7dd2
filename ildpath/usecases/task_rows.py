"""Care task rows as reconciliation reads and writes them: plain rows through SQL Core.

Task rows are written only by reconciliation (after every event and in the daily run), so they
are never held as ORM objects: reading and writing them as plain rows keeps one transition's
reconciliation, and a 500-patient batch of the daily run, to a statement or two per table.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlmodel import Session

from persistence.tables import CareTaskRow

from .changes import StoredTask, TaskChange

__all__ = ["TaskUpdates", "read_stored_tasks", "task_row", "write_task_rows"]

_TASK = CareTaskRow.__table__  # type: ignore[attr-defined]

_STORED = select(
    _TASK.c.patient_id,
    _TASK.c.id,
    _TASK.c.key,
    _TASK.c.kind,
    _TASK.c.opened_on,
    _TASK.c.due_on,
    _TASK.c.status,
    _TASK.c.closed_on,
).order_by(_TASK.c.patient_id, _TASK.c.id)
_STORED_OF_PATIENTS = _STORED.where(_TASK.c.patient_id.in_(bindparam("ids", expanding=True)))
_STORED_OF_PATIENT = _STORED.where(_TASK.c.patient_id == bindparam("id"))

TaskUpdates = dict[tuple[str, ...], list[dict[str, Any]]]
"""Updates grouped by the columns they set, so each group is one executemany."""


def read_stored_tasks(session: Session, ids: Sequence[int]) -> dict[int, list[StoredTask]]:
    """Every task row of these patients, in the order they were opened."""
    found: dict[int, list[StoredTask]] = defaultdict(list)
    connection = session.connection()
    rows = (
        connection.execute(_STORED_OF_PATIENT, {"id": ids[0]})
        if len(ids) == 1
        else connection.execute(_STORED_OF_PATIENTS, {"ids": list(ids)})
    )
    for row in rows:
        found[row[0]].append(StoredTask(*row[1:]))
    return found


def task_row(
    patient_id: int,
    change: TaskChange,
    now: datetime,
    new_tasks: list[dict[str, Any]],
    task_updates: TaskUpdates,
) -> None:
    """Add one change to the rows to insert or the updates to make."""
    if change.stored is None:
        assert change.task is not None
        task = change.task
        new_tasks.append(
            {
                "patient_id": patient_id,
                "kind": task.kind,
                "key": task.key,
                "source": task.source,
                "pathway_version": task.version,
                "evidence": list(task.evidence),
                "updated_at": now,
                **change.fields,
            }
        )
        return
    names = (*sorted(change.fields), "updated_at")
    task_updates[names].append({"_id": change.stored.id, **change.fields, "updated_at": now})


def write_task_rows(
    session: Session, new_tasks: list[dict[str, Any]], task_updates: TaskUpdates
) -> None:
    if new_tasks:
        session.connection().execute(insert(_TASK), new_tasks)
    for names, rows in task_updates.items():
        values = {name: bindparam(name) for name in names}
        statement = update(_TASK).where(_TASK.c.id == bindparam("_id")).values(values)
        session.connection().execute(statement, rows)
