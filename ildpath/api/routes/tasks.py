"""/api/tasks: the worklist of care tasks due or overdue, and its calendar."""

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Query, Response

from ...bootstrap import App
from ...roles import Permission
from ...usecases import Actor
from ...usecases.tasks import WORKLIST_DAYS, tasks_calendar, tasks_due
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
