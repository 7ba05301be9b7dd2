"""Record observations, therapies, procedures and vaccinations (CLINICAL_SPEC §11), as a
person at the clinic does: each is checked before anything is written, stored with its
clinical and recorded dates, audited, and followed by an evaluation (`entries.record_entry`)."""

from collections.abc import Mapping
from datetime import date

from persistence.changes import Actor

from ..bootstrap import App
from .entries import RecordGiven, RecordObservation, RecordTherapy, record_entry
from .outcome import Outcome

__all__ = ["record_given", "record_observation", "record_therapy"]


def record_observation(
    app: App,
    external_id: str,
    kind: str,
    values: Mapping[str, object],
    on: date,
    actor: Actor,
    *,
    expected_version: int | None = None,
) -> Outcome:
    """A PFT, CMV DNA result, HRCT, oxygen requirement, laboratory result (one entry per
    analyte), resting SpO2 or six-minute walk (§11)."""
    command = RecordObservation.checked(kind, values, on)
    return record_entry(app, external_id, command, actor, expected_version=expected_version)


def record_therapy(
    app: App,
    external_id: str,
    action: str,
    agent: str,
    on: date,
    actor: Actor,
    route: str | None = None,
    dose_mg_per_day: object = None,
    expected_version: int | None = None,
    *,
    dose: object = None,
    unit: object = None,
    every: object = None,
) -> Outcome:
    """A start (a dose change when the agent is already active) or a stop (§9, §11); a start's
    dose as ``dose`` + ``unit`` + ``every``, or ``dose_mg_per_day`` (N mg every day)."""
    command = RecordTherapy.checked(
        action, agent, on, route, dose_mg_per_day, dose=dose, unit=unit, every=every
    )
    return record_entry(app, external_id, command, actor, expected_version=expected_version)


def record_given(
    app: App,
    external_id: str,
    what: str,
    kind: str,
    on: date,
    actor: Actor,
    *,
    expected_version: int | None = None,
) -> Outcome:
    """A procedure done or a vaccination given (``what``: ``procedure`` or ``vaccination``)."""
    command = RecordGiven.checked(what, kind, on)
    return record_entry(app, external_id, command, actor, expected_version=expected_version)
