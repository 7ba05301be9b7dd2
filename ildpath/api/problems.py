"""RFC 9457 problem details: every refusal of the API as one JSON shape naming the field.

The domain's exceptions are translated here, once (ARCHITECTURE "errors"): a wrong value is
422 with ``field`` and ``allowed``, a state the trigger cannot leave is 409, a stale write is
409 with the current ETag, an unknown patient 404, a role that may not act 403.
"""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from pathway.errors import ClinicalError, GuardFailed, InvalidTransition, InvalidValue
from pathway.labels import field_label
from persistence.errors import ConcurrencyConflict, StaleWrite

from ..accounts import TokenNotFound, UsernameTaken, UserNotFound
from ..errors import (
    AlertNotFound,
    DuplicatePatient,
    PatientClosed,
    PatientNotFound,
    TaskNotFound,
)
from ..roles import RoleNotPermitted

__all__ = ["PROBLEM_JSON", "install_problem_handlers", "problem"]

PROBLEM_JSON = "application/problem+json"
_TYPE = "urn:ildpath:problem:"


def problem(
    status: int,
    slug: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {"type": _TYPE + slug, "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _clinical(error: ClinicalError) -> JSONResponse:
    detail = str(error)
    if isinstance(error, UsernameTaken):
        return problem(409, "duplicate", "Already exists", detail, field="username")
    if isinstance(error, InvalidValue):
        return problem(
            422,
            "invalid-value",
            "A value is not allowed",
            detail,
            field=error.field,
            field_label=field_label(error.field),
            allowed=error.allowed,
        )
    if isinstance(error, RoleNotPermitted):
        return problem(403, "role-not-permitted", "Your role may not do this", detail)
    if isinstance(
        error, PatientNotFound | AlertNotFound | TaskNotFound | UserNotFound | TokenNotFound
    ):
        return problem(404, "not-found", "No such record", detail)
    if isinstance(error, InvalidTransition):
        return problem(
            409,
            "transition-not-allowed",
            "Trigger not allowed from the current state",
            detail,
            field="trigger",
            allowed=", ".join(error.allowed),
        )
    if isinstance(error, GuardFailed):
        return problem(
            422,
            "guard-failed",
            "The trigger's clinical guard does not hold",
            detail,
            field="trigger",
            missing=error.missing,
        )
    if isinstance(error, DuplicatePatient):
        return problem(409, "duplicate", "Already exists", detail, field="id")
    if isinstance(error, PatientClosed):
        return problem(409, "patient-closed", "The patient is closed", detail)
    return problem(422, "refused", "Refused", detail)


def _conflict(error: ConcurrencyConflict) -> JSONResponse:
    if isinstance(error, StaleWrite):
        return problem(
            409,
            "stale-write",
            "The patient changed since you read it",
            str(error),
            headers={"ETag": f'"{error.current}"'},
            field="If-Match",
            current_version=error.current,
        )
    return problem(409, "conflict", "Changed by someone else at the same time", str(error))


def _validation(error: RequestValidationError) -> JSONResponse:
    errors = [
        {
            "field": ".".join(str(part) for part in e["loc"] if part not in ("body",)),
            "message": e["msg"],
        }
        for e in error.errors()
    ]
    first = errors[0] if errors else {"field": "", "message": "invalid request"}
    return problem(
        422,
        "invalid-request",
        "The request does not match its schema",
        f"{first['field']}: {first['message']}",
        field=first["field"],
        errors=errors,
    )


def _http(error: StarletteHTTPException) -> JSONResponse:
    titles = {401: "Not signed in", 403: "Forbidden", 404: "Not found", 405: "Method not allowed"}
    headers = dict(error.headers or {})
    return problem(
        error.status_code,
        f"http-{error.status_code}",
        titles.get(error.status_code, "Request refused"),
        str(error.detail),
        headers=headers or None,
    )


def _database(_: OperationalError) -> JSONResponse:
    return problem(503, "database-unavailable", "Database unavailable", "try again shortly")


def install_problem_handlers(api: FastAPI) -> None:
    """Every error the API can return, as problem details."""

    async def clinical(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, ClinicalError)
        return _clinical(error)

    async def conflict(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, ConcurrencyConflict)
        return _conflict(error)

    async def validation(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        return _validation(error)

    async def http(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, StarletteHTTPException)
        return _http(error)

    async def database(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, OperationalError)
        return _database(error)

    api.add_exception_handler(ClinicalError, clinical)
    api.add_exception_handler(ConcurrencyConflict, conflict)
    api.add_exception_handler(RequestValidationError, validation)
    api.add_exception_handler(StarletteHTTPException, http)
    api.add_exception_handler(OperationalError, database)
