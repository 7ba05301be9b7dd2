"""/api/tasks: the worklist of care tasks due or overdue, its calendar, and a person's
actions on a task (§8 Acting on a task): done (the entry that closes it), decline,
reschedule, assign."""

from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response

from ...bootstrap import App
from ...roles import Permission
from ...usecases import Actor
from ...usecases.listings import Listing, log_listing
from ...usecases.task_actions import assign_task, decline_task, reschedule_task
from ...usecases.task_done import complete_task
from ...usecases.tasks import tasks_calendar
from ...usecases.worklist import TASK_SORTS, TaskQuery, default_end, find_tasks
from ..concurrency import outcome_body
from ..paging import CURSOR, LIMIT, next_cursor, offset_of
from ..schemas import Day, RowId, TaskAssignmentIn, TaskDeclineIn, TaskDoneIn, TaskRescheduleIn
from ..security import clinic_app, permitted

router = APIRouter(prefix="/api/tasks", tags=["tasks"])


@router.get("", summary="Open tasks due in the range, and every task already overdue")
def worklist(
    request: Request,
    start: Day | None = Query(default=None, alias="from", description="Default: today."),
    end: Day | None = Query(default=None, alias="to", description="Default: from + 14 days."),
    kind: list[str] = Query(default=[], description="Only these task kinds (repeat)."),
    patient: str | None = Query(default=None, max_length=64),
    q: str | None = Query(default=None, max_length=64, description="Patient id, whole or start."),
    due: str | None = Query(default=None, max_length=16, description="overdue, today, week"),
    assignee: str | None = Query(default=None, max_length=64, description="Assigned to."),
    sort: str = Query(default="due", max_length=16, description=", ".join(TASK_SORTS)),
    limit: int = LIMIT,
    cursor: str | None = CURSOR,
    app: App = Depends(clinic_app),
    actor: Actor = permitted(Permission.READ),
) -> dict[str, Any]:
    first = start or app.clock.today()
    query = TaskQuery(
        first,
        end or default_end(first),
        kinds=tuple(kind),
        patient_id=patient,
        search=q,
        assignee=assignee,
        due=due,
        sort=sort,
    )
    params = list(request.query_params.multi_items())
    found = find_tasks(app, query, offset=offset_of(cursor, params), limit=limit)
    shown = Listing(actor, "api", "tasks", request.url.query)
    log_listing(app, shown, (task.patient_id for task in found.tasks))
    return {
        "count": found.total,
        "overdue": found.overdue,
        "returned": len(found.tasks),
        "next_cursor": next_cursor(found.next_offset, params),
        "tasks": [{**t.__dict__, "overdue": t.overdue} for t in found.tasks],
    }


@router.get(
    "/calendar.ics",
    summary="Every open task as an all-day event (iCalendar; stable UIDs)",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
def calendar(
    app: App = Depends(clinic_app),
    actor: Actor = permitted(Permission.READ),
) -> Response:
    return Response(
        tasks_calendar(app, Listing(actor, "api", "tasks calendar")),
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


@router.post(
    "/{task_id}/done",
    status_code=201,
    summary="Done: record the entry that closes the task (a PFT, a vaccination, an agent …)",
)
def done(
    task_id: RowId,
    body: TaskDoneIn,
    response: Response,
    app: App = Depends(clinic_app),
    actor: Actor = permitted(Permission.RECORD),
) -> dict[str, Any]:
    finished = complete_task(app, task_id, body.on or app.clock.today(), body.values, actor)
    return {**outcome_body(response, finished.outcome), "task_closed": finished.closed}
