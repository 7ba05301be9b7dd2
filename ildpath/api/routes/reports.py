"""/api/reports and /api/pathway: audit reports to download, and the pathway diagram."""

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from ...bootstrap import App
from ...diagram import DIAGRAM_FORMATS, pathway_diagram
from ...reports.output import REPORT_FORMATS, cohort_report, patient_report
from ...roles import Permission
from ...usecases import Actor
from ...usecases.listings import Listing
from ...usecases.views import record_view
from ..schemas import Day
from ..security import clinic_app, permitted

router = APIRouter(tags=["reports"])

MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "svg": "image/svg+xml",
    "png": "image/png",
    "mermaid": "text/plain; charset=utf-8",
}
_FILES: dict[str, dict[str, dict[str, object]]] = {
    "content": {media: {} for media in MEDIA_TYPES.values()}
}
"""The OpenAPI description of a download: every media type it may come as."""
_REPORT = permitted(Permission.REPORT)


def download(data: bytes, fmt: str, name: str) -> Response:
    """The bytes as an attachment a browser saves under a telling name."""
    suffix = "mmd" if fmt == "mermaid" else fmt
    name = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    return Response(
        data,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}.{suffix}"'},
    )


@router.get(
    "/api/reports/cohort",
    summary="Guideline adherence of the cohort over a period (CLINICAL_SPEC §10)",
    response_class=Response,
    responses={200: _FILES},
)
def cohort(
    request: Request,
    start: Annotated[Day, Query(alias="from")],  # a plain default would drop Day's check
    end: Day | None = Query(default=None, alias="to", description="Default: today."),
    format: str = Query(default="html", description=", ".join(REPORT_FORMATS)),
    pseudonymise: bool = False,
    app: App = Depends(clinic_app),
    actor: Actor = _REPORT,
) -> Response:
    last = end or app.clock.today()
    shown = Listing(actor, "api", f"cohort report ({format})", request.url.query)
    data = cohort_report(app, start, last, format, pseudonymise=pseudonymise, listing=shown)
    return download(data, format, f"ildpath-cohort-{start}-{last}")


@router.get(
    "/api/patients/{patient_id}/report",
    summary="One patient's course (the view is audited)",
    response_class=Response,
    responses={200: _FILES},
)
def patient(
    patient_id: str,
    format: str = Query(default="html", description=", ".join(REPORT_FORMATS)),
    as_of: Day | None = None,
    pseudonymise: bool = False,
    app: App = Depends(clinic_app),
    actor: Actor = _REPORT,
) -> Response:
    data = patient_report(app, patient_id, format, as_of=as_of, pseudonymise=pseudonymise)
    record_view(app, patient_id, actor, via="api", what=f"patient report ({format})")
    shown = "pseudonymised" if pseudonymise else patient_id
    return download(data, format, f"ildpath-patient-{shown}")


@router.get(
    "/api/pathway/diagram",
    summary="The state machine the engine runs",
    response_class=Response,
    responses={200: _FILES},
)
def diagram(
    format: str = Query(default="svg", description=", ".join(DIAGRAM_FORMATS)),
    app: App = Depends(clinic_app),
    _: Actor = permitted(Permission.READ),
) -> Response:
    return download(pathway_diagram(app.definition.version, format), format, "ildpath-pathway")
