"""The dashboard's pages on the web application: `install_dashboard` adds them beside the
REST API (called by `ildpath.api.app.create_api`), with the static CSS and script."""

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from . import (
    accounts_forms,
    accounts_page,
    amend_form,
    board,
    calendar_forms,
    enrol_form,
    lists_page,
    pathway_page,
    patient_actions,
    patient_page,
    reminders_form,
    reminders_page,
    reports_page,
    sign_on,
    signin,
    task_forms,
    worklist,
)
from .access import FormRefused, SignInRequired, sign_in_redirect
from .errors_page import error_page

__all__ = ["STATIC", "install_dashboard"]

STATIC = Path(__file__).parent / "static"

FORM_REFUSED = (
    "This form was not accepted: it did not carry this session's security token (it may "
    "come from another site, or from a page opened before you signed in again). Nothing was "
    "changed. Go back, reload the page and try again."
)


async def _sign_in(_: Request, error: Exception) -> RedirectResponse:
    assert isinstance(error, SignInRequired)
    return sign_in_redirect(error.wanted)


async def _form_refused(request: Request, _: Exception) -> HTMLResponse:
    return error_page(request, None, 403, "Form refused", FORM_REFUSED)


def install_dashboard(api: FastAPI) -> None:
    """Add the pages (/, /patients/…, /tasks, /lists, /reports, /reminders, /pathway,
    /admin/…, /login) and /static."""
    pages = (
        signin,
        sign_on,
        board,
        lists_page,
        enrol_form,  # /patients/new before /patients/{id}
        amend_form,
        patient_page,
        patient_actions,
        worklist,
        task_forms,
        reports_page,
        reminders_page,
        pathway_page,
        accounts_page,
        accounts_forms,
        reminders_form,
        calendar_forms,
    )
    for module in pages:
        api.include_router(module.router)
    api.add_exception_handler(SignInRequired, _sign_in)
    api.add_exception_handler(FormRefused, _form_refused)
    api.mount("/static", StaticFiles(directory=STATIC), name="static")
