"""RFC 9457 problem details: every refusal of the API as one JSON shape naming the field.

The domain's exceptions are translated here, once (ARCHITECTURE "errors"): a wrong value is
422 with ``field`` and ``allowed``, a state the trigger cannot leave is 409, a stale write is
409 with the current ETag, an unknown patient 404, a role that may not act 403.

On the FHIR paths (``/fhir…``, ``/api/fhir…``, ``/api/patients/{id}/fhir``) the same refusal,
with the same status and headers, is answered as a FHIR OperationOutcome in
``application/fhir+json``, as FHIR clients expect (``ildpath.fhir.operation_outcome``).
"""

import json
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from pathway.errors import ClinicalError, GuardFailed, InvalidTransition, InvalidValue
from pathway.labels import field_label
from persistence.errors import ConcurrencyConflict, StaleWrite

from ..accounts import LastAdminRefused, TokenNotFound, UsernameTaken, UserNotFound
from ..errors import (
    AlertNotFound,
    DuplicatePatient,
    PatientClosed,
    PatientNotFound,
    TaskNotFound,
)
from ..fhir.operation_outcome import from_problem
from ..roles import RoleNotPermitted

__all__ = ["FHIR_JSON", "PROBLEM_JSON", "install_problem_handlers", "is_fhir_path", "problem"]

PROBLEM_JSON = "application/problem+json"
FHIR_JSON = "application/fhir+json"
_TYPE = "urn:ildpath:problem:"
_FHIR_PATHS = re.compile(r"^/(api/)?fhir(/|$)|^/api/patients/[^/]+/fhir/?$")


def is_fhir_path(path: str) -> bool:
    """A path FHIR clients call, whose errors are OperationOutcomes."""
    return _FHIR_PATHS.match(path) is not None


def _answer(request: Request, response: JSONResponse) -> JSONResponse:
    """The problem as is, or on a FHIR path as an OperationOutcome (same status, headers)."""
    if not is_fhir_path(request.url.path):
        return response
    outcome = from_problem(json.loads(bytes(response.body)))
    headers = {
        k: v for k, v in response.headers.items() if k.lower() in ("www-authenticate", "etag")
    }
    return JSONResponse(
        outcome, status_code=response.status_code, media_type=FHIR_JSON, headers=headers
    )


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
    if isinstance(error, LastAdminRefused):
        return problem(409, "last-admin", "The last active admin", detail, field="username")
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


def _validation(error: RequestValidationError, *, fhir: bool = False) -> JSONResponse:
    """422 naming the field; on a FHIR path a body that is not JSON at all is 400 (FHIR R4
    http.html: 400 for content that cannot be parsed)."""
    if fhir and any(e.get("type") == "json_invalid" for e in error.errors()):
        return problem(400, "not-json", "The body is not JSON", "the body could not be parsed")
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
    titles = {
        400: "Bad request",
        401: "Not signed in",
        403: "Forbidden",
        404: "Not found",
        405: "Method not allowed",
        413: "Request too large",
        415: "Unsupported media type",
        429: "Too many requests",
    }
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
    """Every error the API can return, as problem details (OperationOutcome on FHIR paths)."""

    async def clinical(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, ClinicalError)
        return _answer(request, _clinical(error))

    async def conflict(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, ConcurrencyConflict)
        return _answer(request, _conflict(error))

    async def validation(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        return _answer(request, _validation(error, fhir=is_fhir_path(request.url.path)))

    async def http(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, StarletteHTTPException)
        return _answer(request, _http(error))

    async def database(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, OperationalError)
        return _answer(request, _database(error))

    async def unexpected(request: Request, _: Exception) -> Response:
        """A bug: on a FHIR path a 500 OperationOutcome; elsewhere Starlette's plain answer
        (the error is still raised on to the server's log either way)."""
        if is_fhir_path(request.url.path):
            return _answer(
                request, problem(500, "internal", "Internal server error", "an unexpected error")
            )
        return PlainTextResponse("Internal Server Error", status_code=500)

    api.add_exception_handler(ClinicalError, clinical)
    api.add_exception_handler(ConcurrencyConflict, conflict)
    api.add_exception_handler(RequestValidationError, validation)
    api.add_exception_handler(StarletteHTTPException, http)
    api.add_exception_handler(OperationalError, database)
    api.add_exception_handler(Exception, unexpected)
