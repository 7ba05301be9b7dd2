"""FHIR R4 over HTTP: ``POST /fhir`` imports a Bundle and answers with the import report
(plain JSON, ``ildpath.fhir.report``); the exports answer ``application/fhir+json``.

An invalid bundle (not a Bundle, another bundle type, not valid FHIR R4B) is refused whole as
422 problem details naming the path; a valid one is imported resource by resource.
"""

from typing import Any

from fastapi import APIRouter, Body, Depends, Response

from ...bootstrap import App
from ...fhir import import_bundle
from ...fhir.exporting import export_cohort, export_patient
from ...roles import Permission
from ...usecases import Actor
from ..security import clinic_app, permitted

router = APIRouter(tags=["fhir"])

FHIR_JSON = "application/fhir+json"
_BUNDLE_SCHEMA = {"type": "object", "description": "A FHIR R4 transaction or collection Bundle"}
_BUNDLE_OUT = {"content": {FHIR_JSON: {"schema": _BUNDLE_SCHEMA}}}
_BUNDLE_IN = Body(..., media_type=FHIR_JSON)


@router.post(
    "/fhir",
    summary="Import a FHIR R4 Bundle (transaction or collection): the report of each resource",
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
    app: App = Depends(clinic_app),
    actor: Actor = permitted(Permission.ENROL),
    _: Actor = permitted(Permission.RECORD),
) -> dict[str, Any]:
    return import_bundle(app, body, actor).as_data()


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
    summary="Every patient's pathway as one FHIR Bundle (each view is audited)",
    response_class=Response,
    responses={200: _BUNDLE_OUT},
)
def cohort_bundle(
    app: App = Depends(clinic_app),
    actor: Actor = permitted(Permission.REPORT),
) -> Response:
    return Response(export_cohort(app, actor, via="api"), media_type=FHIR_JSON)
