"""A refused form as the person filling it reads it: the HTTP status of the re-rendered page,
one message, and the field to mark (the API says the same in problem details, see
`ildpath.api.problems`)."""

from dataclasses import dataclass

from pathway.errors import ClinicalError, GuardFailed, InvalidTransition, InvalidValue
from pathway.labels import field_label, label, labelled
from persistence.errors import ConcurrencyConflict

from ..errors import AlertNotFound, PatientClosed, PatientNotFound
from ..roles import RoleNotPermitted

__all__ = ["REFUSED", "Refusal", "refusal"]

REFUSED = (ClinicalError, ConcurrencyConflict)
"""What a form's use case may refuse with; anything else is a fault, not a refusal."""

CHANGED_MEANWHILE = (
    "This patient's record changed meanwhile (someone else recorded or decided something). "
    "The page now shows the current record: check it, then submit again."
)


@dataclass(frozen=True)
class Refusal:
    status: int
    message: str
    field: str | None = None


def _invalid(error: InvalidValue) -> Refusal:
    """Names the field as the form labels it, with its code: ``FVC % predicted (fvc_pct):
    500.0 is not allowed; allowed: a number from 10 to 200 (% predicted).``"""
    shown = "(empty)" if error.value in (None, "") else repr(error.value)
    field = error.field.rsplit(".", 1)[-1]
    named = f"{field_label(field)} ({field})"
    return Refusal(422, f"{named}: {shown} is not allowed; allowed: {error.allowed}.", field)


def refusal(error: Exception) -> Refusal:
    """The refusal to show for one of `REFUSED`."""
    if isinstance(error, ConcurrencyConflict):
        return Refusal(409, CHANGED_MEANWHILE, "version")
    if isinstance(error, RoleNotPermitted):
        return Refusal(403, f"Your role ({error.role}) may not {error.permission.value}.")
    if isinstance(error, InvalidValue):
        return _invalid(error)
    if isinstance(error, GuardFailed):
        missing = "; ".join(error.missing)
        trigger = labelled(error.trigger, "trigger")
        return Refusal(422, f"{trigger} refused, nothing was changed. Missing: {missing}.")
    if isinstance(error, InvalidTransition):
        allowed = ", ".join(labelled(t, "trigger") for t in error.allowed) or "none"
        return Refusal(
            409,
            f"{labelled(error.trigger, 'trigger')} is not allowed from "
            f"{label(error.state, 'state').lower()} (allowed now: {allowed}); "
            "the patient may have moved meanwhile.",
            "trigger",
        )
    if isinstance(error, PatientNotFound | AlertNotFound):
        return Refusal(404, str(error))
    if isinstance(error, PatientClosed):
        return Refusal(409, "This patient is closed: no new entries are accepted.")
    return Refusal(422, str(error))
