"""FHIR R4 over HTTP. ``POST /fhir`` imports a Bundle and answers a FHIR response Bundle
(``transaction-response`` for a transaction, ``batch-response`` otherwise; the plain JSON
import report with ``?report=true``); ``GET /fhir/metadata`` is the CapabilityStatement (no
sign-in); the exports answer ``application/fhir+json``. Every error on these paths is an
OperationOutcome (``..problems``).

A bundle that is not valid FHIR is refused whole (422 naming the path); a refused transaction
is 422 with an OperationOutcome naming each entry that failed it, nothing written (FHIR R4
http.html, Transaction Processing Rules: a server rejects a failed transaction whole with a
4xx/5xx answer; 422 because the engine's rules refused an entry, not its syntax).
"""

from typing import Any

from fastapi import APIRouter, Body, Depends, HTTPException, Request, Response
from fastapi.responses import JSONResponse

from ...bootstrap import App
from ...fhir import import_bundle
from ...fhir.capability import capability_statement
from ...fhir.exporting import export_cohort, export_patient
from ...fhir.report import TransactionRefused
from ...fhir.response import exported_patient_id, refusal, response_bundle
from ...roles import Permission
from ...usecases import Actor
from ..problems import FHIR_JSON
from ..security import clinic_app, permitted

router = APIRouter(tags=["fhir"])

_BUNDLE_SCHEMA = {
    "type": "object",
    "description": "A FHIR R4 Bundle: transaction, batch, collection or searchset",
}
_BUNDLE_OUT = {"content": {FHIR_JSON: {"schema": _BUNDLE_SCHEMA}}}
_BUNDLE_IN = Body(..., media_type=FHIR_JSON)
_MEDIA = ("application/fhir+json", "application/json")


def _json_body(request: Request) -> None:
    """415 unless the body is sent as FHIR JSON or JSON (no Content-Type is read as JSON)."""
    sent = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if sent and sent not in _MEDIA:
        raise HTTPException(415, f"Content-Type {sent!r}: send {' or '.join(_MEDIA)}")


def _fhir(data: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status, media_type=FHIR_JSON)


@router.get(
    "/fhir/metadata",
    summary="The CapabilityStatement: what this FHIR server does (no sign-in needed)",
    response_class=Response,
    responses={200: {"content": {FHIR_JSON: {"schema": {"type": "object"}}}}},
)
def metadata(request: Request, app: App = Depends(clinic_app)) -> Response:
    base = str(request.url_for("import_fhir")).rstrip("/")
    return _fhir(capability_statement(base, app.clock.now()))


@router.post("/fhir/", include_in_schema=False)
@router.post(
    "/fhir",
    summary="Import a FHIR R4 Bundle: a transaction-response or batch-response Bundle",
    response_class=Response,
    responses={200: _BUNDLE_OUT},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                FHIR_JSON: {"schema": _BUNDLE_SCHEMA},
                "application/json": {"schema": _BUNDLE_SCHEMA},
            },
        }
    },
)
def import_fhir(
    body: dict[str, Any] = _BUNDLE_IN,
    source: str | None = None,
    report: bool = False,
    app: App = Depends(clinic_app),
    actor: Actor = permitted(Permission.ENROL),
    _: Actor = permitted(Permission.RECORD),
    __: None = Depends(_json_body),
) -> Response:
    """``source``: the sending system (e.g. its base URL), keying what is imported from it;
    ``report=true``: answer the import report as plain JSON instead of a response Bundle."""
    try:
        done = import_bundle(app, body, actor, source=source)
    except TransactionRefused as refused:
        if report:
            return JSONResponse(refused.report.as_data(), status_code=422)
        return _fhir(refusal(refused.failing), 422)
    if report:
        return JSONResponse(done.as_data())
    entries = body.get("entry")
    count = len(entries) if isinstance(entries, list) else 0
    bundle = response_bundle(done, count, app.clock.now(), exported_patient_id(app))
    return _fhir(bundle)


@router.get(
    "/api/patients/{patient_id}/fhir",
    summary="One patient's pathway as a FHIR Bundle (the view is audited)",
    response_class=Response,
    responses={200: _BUNDLE_OUT},
)
def patient_bundle(
    patient_id: str,
    app: App = Depends(clinic_app),
    actor: Actor = permitted(Permission.READ),
) -> Response:
    return Response(export_patient(app, patient_id, actor, via="api"), media_type=FHIR_JSON)


@router.get(
    "/api/fhir/cohort",
    summary="Every patient's pathway as one FHIR Bundle (logged as one listing of them all)",
    response_class=Response,
    responses={200: _BUNDLE_OUT},
)
def cohort_bundle(
    app: App = Depends(clinic_app),
    actor: Actor = permitted(Permission.REPORT),
) -> Response:
    return Response(export_cohort(app, actor, via="api"), media_type=FHIR_JSON)
