"""The task action forms (§8 "Acting on a task"): decline with a reason, reschedule to a date
with a reason, assign to a person, from the worklist or from the patient page. Each post runs
the same use case as `ildpath tasks …` and `/api/tasks/{id}/…`, then goes back where it came
from with what was done, or draws that page again with the refusal (nothing changed)."""

from collections.abc import Callable
from datetime import date
from urllib.parse import parse_qsl, urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData, QueryParams

from pathway.date_bounds import read_day

from ..api.security import Caller, clinic_app
from ..bootstrap import App
from ..roles import Permission, require
from ..usecases import Outcome
from ..usecases.task_actions import assign_task, decline_task, reschedule_task
from .access import check_form, local_path, posted_form, signed_in
from .errors_page import error_page
from .flash import flash_query
from .form_values import text
from .patient_actions import act_and_answer
from .refusals import REFUSED, refusal
from .worklist import WORKLIST, show_worklist

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

Act = Callable[[App, int, FormData, Caller], Outcome]


def _required_day(form: FormData, name: str) -> date:
    return read_day(name, text(form, name) or "")


def _decline(app: App, task_id: int, form: FormData, caller: Caller) -> Outcome:
    return decline_task(app, task_id, text(form, "reason") or "", caller.actor())


def _reschedule(app: App, task_id: int, form: FormData, caller: Caller) -> Outcome:
    due = _required_day(form, "due")
    return reschedule_task(app, task_id, due, text(form, "reason") or "", caller.actor())


def _assign(app: App, task_id: int, form: FormData, caller: Caller) -> Outcome:
    return assign_task(
        app, task_id, text(form, "assignee") or "", caller.actor(), reason=text(form, "reason")
    )


ACTIONS: dict[str, Act] = {"decline": _decline, "reschedule": _reschedule, "assign": _assign}


def _without_flash(path: str) -> tuple[str, QueryParams]:
    parts = urlsplit(path)
    kept = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("done", "alerts", "sig")]
    return parts.path, QueryParams(kept)


@router.post("/tasks/{task_id}/{action}")
def act_on_task(
    task_id: int,
    action: str,
    request: Request,
    app: App = Depends(clinic_app),
    caller: Caller = Depends(signed_in),
    form: FormData = Depends(posted_form),
) -> Response:
    act = ACTIONS.get(action)
    if act is None:
        allowed = ", ".join(ACTIONS)
        return error_page(request, caller, 404, "No such action", f"Tasks allow: {allowed}.")
    patient_id = text(form, "patient")
    if patient_id is not None:  # from the patient page: answered like its other forms
        return act_and_answer(
            request,
            app,
            caller,
            patient_id,
            form,
            f"task-{task_id}-{action}",
            Permission.MANAGE_TASKS,
            lambda: act(app, task_id, form, caller),
            f"task_{action}",
        )
    check_form(caller, form)
    _path, params = _without_flash(local_path(text(form, "next"), WORKLIST))
    try:
        require(caller.account.role, Permission.MANAGE_TASKS)
        act(app, task_id, form, caller)
    except REFUSED as error:
        said = refusal(error)
        message = f"Task {task_id} was not changed. {said.message}"
        return show_worklist(request, app, caller, params, error=message, status=said.status)
    flash = flash_query(caller.csrf or "", WORKLIST, f"task_{action}", [])
    query = f"{params}&{flash}" if str(params) else flash
    return RedirectResponse(f"{WORKLIST}?{query}#status", status_code=303)
