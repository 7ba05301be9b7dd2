"""/api/alerts: the cohort's alerts, and a clinician's acknowledgement with a justification."""

from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from ...bootstrap import App
from ...roles import Permission
from ...usecases import Actor, acknowledge_alert
from ...usecases.alerts import list_alerts
from ...usecases.listings import Listing, log_listing
from ..schemas import AcknowledgementIn, Day, RowId
from ..security import clinic_app, permitted

router = APIRouter(prefix="/api/alerts", tags=["alerts"])


@router.get(
    "",
    summary="Alerts across the cohort: those that hold first, then cleared ones; newest first",
)
def alerts(
    request: Request,
    patient: str | None = Query(default=None, max_length=64),
    severity: list[str] = Query(default=[], description="info, warning, critical (repeat)."),
    unacknowledged: bool = False,
    raised_from: Day | None = None,
    raised_to: Day | None = None,
    holding: bool = Query(default=False, description="Only alerts that hold today (§7a)."),
    status: str = Query(
        default="raised",
        max_length=16,
        description="raised (standing alerts, the default), withdrawn (within their recording "
        "day: kept, never counted), or all.",
    ),
    closed: bool = Query(
        default=False, description="Include closed patients' alerts in a cohort-wide list."
    ),
    app: App = Depends(clinic_app),
    actor: Actor = permitted(Permission.READ),
) -> dict[str, Any]:
    found = list_alerts(
        app,
        patient_id=patient,
        severities=tuple(severity),
        unacknowledged=unacknowledged,
        raised_from=raised_from,
        raised_to=raised_to,
        holding=holding,
        status=status,
        closed=closed,
    )
    shown = Listing(actor, "api", "alerts", request.url.query)
    log_listing(app, shown, (alert.patient_id for alert in found))
    return {"count": len(found), "alerts": found}


@router.post(
    "/{alert_id}/acknowledgement",
    status_code=201,
    summary="Acknowledge an alert with a justification (clinicians)",
)
def acknowledge(
    alert_id: RowId,
    body: AcknowledgementIn,
    app: App = Depends(clinic_app),
    actor: Actor = permitted(Permission.ACKNOWLEDGE_ALERT),
) -> dict[str, Any]:
    outcome = acknowledge_alert(app, alert_id, body.justification, actor)
    return {"alert": alert_id, "acknowledged_by": actor.name, "version": outcome.version}
