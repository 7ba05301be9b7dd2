"""/api/patients/{id}/…: record what happened, and hear at once which alerts it raised."""

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Response

from ...bootstrap import App
from ...roles import Permission
from ...usecases import (
    Actor,
    Outcome,
    TriggerCommand,
    correct_entry,
    enter_in_error,
    fire_trigger,
    record_event,
    record_given,
    record_therapy,
)
from ..concurrency import IfMatch, expected_version, outcome_body
from ..schemas import (
    CorrectionIn,
    EnteredInErrorIn,
    ObservationIn,
    ProcedureIn,
    TherapyIn,
    TransitionIn,
    VaccinationIn,
)
from ..security import clinic_app, permitted

router = APIRouter(prefix="/api/patients/{patient_id}", tags=["record"])

_APP = Depends(clinic_app)
_RECORD = permitted(Permission.RECORD)


def _entered(
    app: App,
    response: Response,
    if_match: str | None,
    on: date | None,
    write: Callable[[date, int | None], Outcome],
) -> dict[str, Any]:
    """Write (on the day given, or today; refused if the patient moved past ``If-Match``),
    then answer with what the write did: its id, the alerts it raised, the tasks it opened
    or closed, and the new version."""
    return outcome_body(response, write(on or app.clock.today(), expected_version(if_match)))


@router.post(
    "/observations",
    status_code=201,
    summary="Record a PFT, CMV, HRCT, oxygen, lab results, SpO2 or six-minute walk",
)
def observation(
    patient_id: str,
    body: ObservationIn,
    response: Response,
    if_match: str | None = IfMatch,
    app: App = _APP,
    actor: Actor = _RECORD,
) -> dict[str, Any]:
    return _entered(
        app,
        response,
        if_match,
        body.on,
        lambda on, version: record_event(
            app, patient_id, body.kind, body.values(), on, actor, expected_version=version
        ),
    )


@router.post("/therapies", status_code=201, summary="Start, change or stop an agent")
def therapy(
    patient_id: str,
    body: TherapyIn,
    response: Response,
    if_match: str | None = IfMatch,
    app: App = _APP,
    actor: Actor = _RECORD,
) -> dict[str, Any]:
    return _entered(
        app,
        response,
        if_match,
        body.on,
        lambda on, version: record_therapy(
            app,
            patient_id,
            body.action,
            body.agent,
            on,
            actor,
            route=body.route,
            dose_mg_per_day=body.dose_mg_per_day,
            expected_version=version,
            dose=body.dose,
            unit=body.unit,
            every=body.every,
        ),
    )


@router.post("/procedures", status_code=201, summary="Record a procedure done")
def procedure(
    patient_id: str,
    body: ProcedureIn,
    response: Response,
    if_match: str | None = IfMatch,
    app: App = _APP,
    actor: Actor = _RECORD,
) -> dict[str, Any]:
    return _entered(
        app,
        response,
        if_match,
        body.on,
        lambda on, version: record_given(
            app, patient_id, "procedure", body.kind, on, actor, expected_version=version
        ),
    )


@router.post("/vaccinations", status_code=201, summary="Record a vaccination given")
def vaccination(
    patient_id: str,
    body: VaccinationIn,
    response: Response,
    if_match: str | None = IfMatch,
    app: App = _APP,
    actor: Actor = _RECORD,
) -> dict[str, Any]:
    return _entered(
        app,
        response,
        if_match,
        body.on,
        lambda on, version: record_given(
            app, patient_id, "vaccination", body.kind, on, actor, expected_version=version
        ),
    )


@router.post(
    "/transitions",
    status_code=201,
    summary="Fire a trigger (clinicians): the engine checks the state and the guard",
)
def transition(
    patient_id: str,
    body: TransitionIn,
    response: Response,
    if_match: str | None = IfMatch,
    app: App = _APP,
    actor: Actor = permitted(Permission.FIRE_TRIGGER),
) -> dict[str, Any]:
    def fire(on: date, version: int | None) -> Outcome:
        command = TriggerCommand(
            trigger=body.trigger,
            on=on,
            reason=body.reason,
            outcome=body.outcome,
            closing_reason=body.closing_reason,
            evidence=tuple(body.evidence),
        )
        return fire_trigger(app, patient_id, command, actor, expected_version=version)

    return _entered(app, response, if_match, body.on, fire)


@router.post(
    "/entries/{entry_id}/correction",
    status_code=201,
    summary="Correct a recorded entry (§11): a new entry replaces it, nothing is deleted",
)
def correction(
    patient_id: str,
    entry_id: str,
    body: CorrectionIn,
    response: Response,
    if_match: str | None = IfMatch,
    app: App = _APP,
    actor: Actor = _RECORD,
) -> dict[str, Any]:
    outcome = correct_entry(
        app,
        patient_id,
        entry_id,
        body.values,
        body.reason,
        actor,
        on=body.on,
        expected_version=expected_version(if_match),
    )
    prefix = entry_id.rstrip("0123456789")
    return {**outcome_body(response, outcome), "entry": f"{prefix}{outcome.entry_id}"}


@router.post(
    "/entries/{entry_id}/entered-in-error",
    status_code=201,
    summary="Mark a recorded entry entered in error (§11): kept, no longer read by the rules",
)
def entered_in_error(
    patient_id: str,
    entry_id: str,
    body: EnteredInErrorIn,
    response: Response,
    if_match: str | None = IfMatch,
    app: App = _APP,
    actor: Actor = _RECORD,
) -> dict[str, Any]:
    outcome = enter_in_error(
        app, patient_id, entry_id, body.reason, actor, expected_version=expected_version(if_match)
    )
    return {**outcome_body(response, outcome), "retracted": entry_id}
