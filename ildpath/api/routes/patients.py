"""/api/patients: the cohort, enrolment, one patient's whole picture, phenotype amendments."""

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, Response

from ...bootstrap import App
from ...roles import Permission
from ...usecases import Actor, EnrolPatient, amend_phenotype, enrol_patient, patient_summary
from ...usecases.access_history import access_history
from ...usecases.cohort import CohortQuery, find_patients
from ...usecases.cohort_query import COHORT_SORTS
from ...usecases.listings import Listing, log_listing
from ...usecases.patient_data import patient_data
from ...usecases.views import record_view
from ..concurrency import IfMatch, etag, expected_version, outcome_body
from ..paging import CURSOR, LIMIT, next_cursor, offset_of
from ..schemas import AmendmentIn, Day, EnrolmentIn
from ..security import clinic_app, permitted

router = APIRouter(prefix="/api/patients", tags=["patients"])

_APP = Depends(clinic_app)
_READ = permitted(Permission.READ)


@router.get("", summary="The cohort's working list, the most urgent first, a page at a time")
def cohort(
    request: Request,
    q: str | None = Query(default=None, max_length=64, description="Patient id, whole or start."),
    state: list[str] = Query(default=[], description="Only these states (repeat)."),
    phenotype: str | None = Query(default=None, max_length=32, description="A, B, C"),
    task_kind: str | None = Query(default=None, max_length=40, description="An open task kind."),
    due: str | None = Query(default=None, max_length=16, description="overdue, today, week"),
    overdue: bool = Query(default=False, description="Only patients with overdue tasks."),
    assignee: str | None = Query(default=None, max_length=64, description="Task assigned to."),
    alerts: str | None = Query(default=None, max_length=16, description="holding, cleared"),
    alert_severity: str | None = Query(
        default=None, max_length=16, description="At least one unacknowledged alert this severe."
    ),
    closed: bool = Query(default=False, description="List closed patients too."),
    needs_completion: bool = Query(
        default=False, description="Only patients whose ILD course or anti-MDA5 is unknown."
    ),
    sort: str = Query(default="urgency", max_length=16, description=", ".join(COHORT_SORTS)),
    limit: int = LIMIT,
    cursor: str | None = CURSOR,
    app: App = _APP,
    actor: Actor = _READ,
) -> dict[str, Any]:
    query = CohortQuery(
        search=q,
        states=tuple(state),
        phenotype=phenotype,
        task_kind=task_kind,
        due=due or ("overdue" if overdue else None),
        assignee=assignee,
        alerts=alerts,
        alert_severity=alert_severity,
        sort=sort,
        include_closed=closed,
        needs_completion=needs_completion,
    ).check()
    params = list(request.query_params.multi_items())
    found = find_patients(app, query, offset=offset_of(cursor, params), limit=limit)
    shown = Listing(actor, "api", "cohort", request.url.query)
    log_listing(app, shown, (entry.patient_id for entry in found.entries))
    return {
        "count": found.total,
        "returned": len(found.entries),
        "next_cursor": next_cursor(found.next_offset, params),
        "work": found.work,
        "patients": found.entries,
    }


@router.post("", status_code=201, summary="Enrol a patient")
def enrol(
    body: EnrolmentIn,
    response: Response,
    app: App = _APP,
    actor: Actor = permitted(Permission.ENROL),
) -> dict[str, Any]:
    fields = body.model_dump()
    fields["risk_factors"] = tuple(body.risk_factors)
    fields["enrolled_on"] = body.enrolled_on or app.clock.today()
    command = EnrolPatient(**fields)
    outcome = enrol_patient(app, command, actor)
    response.headers["Location"] = patient_location(outcome.patient_id)
    return {**outcome_body(response, outcome), "id": outcome.patient_id}


def patient_location(patient_id: str) -> str:
    """The new patient's address, percent-encoded: a header is Latin-1, and an id a clinic's
    pattern allows may not be (``Д-1``); built raw, it failed after the patient was saved,
    answering 500 to a write that had happened and 409 to its retry."""
    return "/api/patients/" + quote(patient_id, safe="")


@router.get("/{patient_id}", summary="The whole picture of one patient (the view is audited)")
def show(
    patient_id: str,
    response: Response,
    as_of: Day | None = Query(default=None, description="As on this day (default today)."),
    app: App = _APP,
    actor: Actor = _READ,
) -> dict[str, Any]:
    summary = patient_summary(app, patient_id, as_of)
    record_view(app, patient_id, actor, via="api", what="patient record")
    response.headers["ETag"] = etag(summary.patient.version)  # a view leaves it unchanged
    return {**patient_data(summary), "version": summary.patient.version}


@router.patch("/{patient_id}/phenotype", summary="Amend one phenotype field from a date")
def amend(
    patient_id: str,
    body: AmendmentIn,
    response: Response,
    if_match: str | None = IfMatch,
    app: App = _APP,
    actor: Actor = permitted(Permission.RECORD),
) -> dict[str, Any]:
    outcome = amend_phenotype(
        app,
        patient_id,
        body.field,
        body.value,
        body.on or app.clock.today(),
        actor,
        body.reason,
        expected_version=expected_version(if_match),
    )
    return {**outcome_body(response, outcome), "id": patient_id}


@router.get(
    "/{patient_id}/access-log",
    summary="Who saw this patient, alone or in a listing (auditors and admins; logged too)",
)
def access_log(
    patient_id: str,
    app: App = _APP,
    actor: Actor = permitted(Permission.SEE_ACCESS_LOG),
) -> dict[str, Any]:
    found = access_history(app, patient_id, actor, via="api")
    return {"patient": patient_id, "count": len(found), "accesses": found}
