"""POST /patients/{id}/amend: the patient page's phenotype amendment (CLINICAL_SPEC §1).

The form comes pre-filled with the phenotype as it stands; the fields the person changed are
amended together, from one clinical date, with one reason, in one transaction — the same
`AmendPhenotype` entry the CLI (``ildpath patient amend``) and the API (``PATCH
…/phenotype``) record, checked the same way. Like the other patient forms it carries the
page's version: a form drawn before a colleague's entry is refused, never applied over it.
"""

from dataclasses import dataclass
from datetime import date

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from pathway.errors import ClinicalError
from pathway.validation import check_flags

from ..api.security import Caller, clinic_app
from ..bootstrap import App
from ..roles import Permission, require
from ..usecases import Outcome
from ..usecases.enrolment import AmendPhenotype
from ..usecases.entries import Decision, EntryContext, record_entry
from .access import check_form, posted_form, signed_in
from .flash import flash_query
from .form_values import day, text, version
from .patient_actions import patient_url
from .patient_page import show_patient
from .patient_view import FormState
from .phenotype_fields import form_values, phenotype_read
from .refusals import REFUSED, refusal

__all__ = ["NothingChanged", "router"]

router = APIRouter(include_in_schema=False)


class NothingChanged(ClinicalError):
    def __init__(self) -> None:
        super().__init__(
            "Nothing to amend: every value in the form is the one recorded. Change a value "
            "first (the form shows the phenotype as it stands)."
        )


def _same(name: str, recorded: object, posted: object) -> bool:
    if name == "risk_factors":
        return set(check_flags(recorded)) == set(check_flags(posted))
    return recorded == posted


@dataclass(frozen=True)
class AmendChanged:
    """The amendment of the fields whose value differs from the patient's as it stands (read
    in the writer's transaction, on the version the page was drawn from)."""

    command: AmendPhenotype

    @property
    def on(self) -> date:
        return self.command.on

    def decide(self, context: EntryContext) -> Decision:
        patient = context.patient
        changed = {
            name: value
            for name, value in self.command.values
            if not _same(name, getattr(patient, name), value)
        }
        if not changed:
            raise NothingChanged
        command = AmendPhenotype.checked(changed, self.command.on, self.command.reason)
        return command.decide(context)


def amend(app: App, patient_id: str, form: FormData, caller: Caller) -> Outcome:
    """Check every posted value as an amendment, then amend those that changed."""
    on: date = day(form, "on", app.clock.today())
    command = AmendPhenotype.checked(phenotype_read(form), on, text(form, "reason"))
    return record_entry(
        app, patient_id, AmendChanged(command), caller.actor(), expected_version=version(form)
    )


@router.post("/patients/{patient_id}/amend")
def amend_phenotype(
    patient_id: str,
    request: Request,
    app: App = Depends(clinic_app),
    caller: Caller = Depends(signed_in),
    form: FormData = Depends(posted_form),
) -> Response:
    check_form(caller, form)
    try:
        require(caller.account.role, Permission.RECORD)
        outcome = amend(app, patient_id, form, caller)
    except REFUSED as error:
        refused = FormState("amend", refusal(error), form_values(form))
        return show_patient(request, app, caller, patient_id, refused=refused)
    raised = [a.id or 0 for a in outcome.alerts_raised] + [a.id for a in outcome.alerts_withdrawn]
    query = flash_query(caller.csrf or "", patient_id, "amended", raised)
    return RedirectResponse(f"{patient_url(patient_id)}?{query}#status", status_code=303)
