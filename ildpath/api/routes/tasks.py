"""/api/tasks: the worklist of care tasks due or overdue, its calendar, and a person's
actions on a task (§8 Acting on a task): decline, reschedule, assign."""

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Query, Response

from ...bootstrap import App
from ...roles import Permission
from ...usecases import Actor
from ...usecases.task_actions import assign_task, decline_task, reschedule_task
from ...usecases.tasks import WORKLIST_DAYS, tasks_calendar, tasks_due
from ..concurrency import outcome_body
from ..schemas import RowId, TaskAssignmentIn, TaskDeclineIn, TaskRescheduleIn
from ..security import clinic_app, permitted

router = APIRouter(prefix="/api/tasks", tags=["tasks"])


@router.get("", summary="Open tasks due in the range, and every task already overdue")
def worklist(
    start: date | None = Query(default=None, alias="from", description="Default: today."),
    end: date | None = Query(default=None, alias="to", description="Default: from + 14 days."),
    kind: list[str] = Query(default=[], description="Only these task kinds (repeat)."),
    patient: str | None = Query(default=None, max_length=64),
    app: App = Depends(clinic_app),
    _: Actor = permitted(Permission.READ),
) -> dict[str, Any]:
    today = app.clock.today()
    first = start or today
    tasks = tasks_due(
        app,
        first,
        end or first + timedelta(days=WORKLIST_DAYS),
        kinds=tuple(kind),
        patient_id=patient,
    )
    return {
        "count": len(tasks),
        "overdue": sum(t.overdue for t in tasks),
        "tasks": [{**t.__dict__, "overdue": t.overdue} for t in tasks],
    }


@router.get(
    "/calendar.ics",
    summary="Every open task as an all-day event (iCalendar; stable UIDs)",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
def calendar(
    app: App = Depends(clinic_app),
    _: Actor = permitted(Permission.READ),
) -> Response:
    return Response(
        tasks_calendar(app),
        media_type="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="ildpath-tasks.ics"'},
    )


@router.post(
    "/{task_id}/decline",
    status_code=201,
    summary="Decline a task with a reason (vaccinations, pulmonary rehabilitation, bone "
    "protection, PJP prophylaxis)",
)
def decline(
    task_id: RowId,
    body: TaskDeclineIn,
    response: Response,
    app: App = Depends(clinic_app),
    actor: Actor = permitted(Permission.MANAGE_TASKS),
) -> dict[str, Any]:
    return outcome_body(response, decline_task(app, task_id, body.reason, actor))


@router.post(
    "/{task_id}/reschedule",
    status_code=201,
    summary="Move a task's due date, with a reason (overdue counts from it)",
)
def reschedule(
    task_id: RowId,
    body: TaskRescheduleIn,
    response: Response,
    app: App = Depends(clinic_app),
    actor: Actor = permitted(Permission.MANAGE_TASKS),
) -> dict[str, Any]:
    return outcome_body(response, reschedule_task(app, task_id, body.due, body.reason, actor))


@router.post(
    "/{task_id}/assignment",
    status_code=201,
    summary="Assign a task to a user (its reminders go to them where a channel can)",
)
def assign(
    task_id: RowId,
    body: TaskAssignmentIn,
    response: Response,
    app: App = Depends(clinic_app),
    actor: Actor = permitted(Permission.MANAGE_TASKS),
) -> dict[str, Any]:
    outcome = assign_task(app, task_id, body.assignee, actor, reason=body.reason)
    return outcome_body(response, outcome)
