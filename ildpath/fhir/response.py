"""The import report as a FHIR response Bundle, what a FHIR client expects back from
``POST /fhir`` (FHIR R4 http.html "Transaction Response" and "Batch"): one entry per request
entry, in request order, each with its ``response.status``, a ``location`` when a row was
created, and an OperationOutcome saying what became of it and why.

A ``transaction`` is answered with a ``transaction-response``; a ``batch`` with a
``batch-response``; a ``collection`` or ``searchset`` (FHIR defines no response type for them:
they are not requests) with a ``batch-response`` too, since ildpath reads them entry by entry
as a batch. A refused transaction is not a response Bundle but one OperationOutcome
(``refusal``), with an error issue per entry that failed it.
"""

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from sqlmodel import select

from persistence.tables import PatientRow

from ..bootstrap import App
from .operation_outcome import Issue, operation_outcome
from .report import ImportReport, Outcome
from .resources import Refs

__all__ = [
    "ENTRY_ANSWER",
    "exported_patient_id",
    "location",
    "refusal",
    "response_bundle",
    "response_type",
]

ENTRY_ANSWER: dict[str, tuple[str, str, str]] = {
    "created": ("201 Created", "information", "informational"),
    "corrected": ("201 Created", "information", "informational"),
    "already_imported": ("200 OK", "information", "duplicate"),
    "not_imported": ("200 OK", "warning", "not-supported"),
    "unknown_code": ("200 OK", "warning", "code-invalid"),
    "invalid": ("422 Unprocessable Entity", "error", "invalid"),
}
"""An import status as (``response.status``, issue severity, issue type). Nothing written is
still 200: the entry was processed, and its outcome says why nothing came of it. An invalid
entry breaks a rule of the engine on a parsed resource: 422 (FHIR R4 http.html: 400 is for
content that cannot be parsed, 422 for business rules)."""
_OTHER = ("200 OK", "warning", "informational")
"""A status this module does not know (a new one of the importer): processed, said."""
_NOT_REPORTED = "the importer reported nothing for this entry"

_ROW = re.compile(r"^(?P<kind>[a-z_]+) #(?P<id>\d+)")
_PATIENT = re.compile(r"^patient (?P<id>.+)$")


def response_type(bundle_type: str) -> str:
    """``transaction-response`` for a transaction, else ``batch-response``."""
    return "transaction-response" if bundle_type == "transaction" else "batch-response"


def exported_patient_id(app: App) -> Callable[[str], str | None]:
    """ildpath patient id -> the id its exported Patient has (``resources.Refs``: the id
    itself when it is a valid FHIR id, else ``patient-<row>``; None if not enrolled)."""

    def exported(external_id: str) -> str | None:
        with app.transaction() as session:
            pk = session.exec(
                select(PatientRow.id).where(PatientRow.external_id == external_id)
            ).first()
        return None if pk is None else Refs(external_id, pk).patient_id

    return exported


def location(created: str, patient_id: Callable[[str], str | None]) -> str | None:
    """Where a row written on import can be found, named as the export names it:
    ``Patient/<id>`` (``patient_id`` gives the exported id of an ildpath patient id) or
    ``Observation/obs-<row id>``. A therapy, procedure or vaccination row is not exported
    as a resource: it has no location."""
    if found := _PATIENT.match(created):
        exported = patient_id(found["id"])
        return None if exported is None else f"Patient/{exported}"
    if (found := _ROW.match(created)) and found["kind"] == "observation":
        return f"Observation/obs-{found['id']}"
    return None


def _entry(
    index: int, outcome: Outcome | None, patient_id: Callable[[str], str | None]
) -> dict[str, Any]:
    """One response entry: its status, location and an OperationOutcome whose ``details.text``
    is the import status and whose ``diagnostics`` is the reason (else the rows written)."""
    if outcome is None:
        issue = Issue("warning", "informational", _NOT_REPORTED, (f"Bundle.entry[{index}]",))
        return {"response": {"status": _OTHER[0], "outcome": operation_outcome([issue])}}
    status, severity, code = ENTRY_ANSWER.get(outcome.status, _OTHER)
    said = outcome.reason or ", ".join(outcome.created) or outcome.status
    issue = Issue(severity, code, said, (f"Bundle.entry[{index}]",), outcome.status)
    response: dict[str, Any] = {"status": status}
    places = [p for c in outcome.created if (p := location(c, patient_id))]
    if places:
        response["location"] = places[0]
    response["outcome"] = operation_outcome([issue])
    return {"response": response}


def response_bundle(
    report: ImportReport,
    entries: int,
    now: datetime,
    patient_id: Callable[[str], str | None],
) -> dict[str, Any]:
    """The response Bundle of a bundle of ``entries`` entries, validated with
    ``fhir.resources`` (R4B)."""
    size = max(entries, max(report.outcomes, default=-1) + 1)
    data: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": response_type(report.bundle_type),
        "timestamp": now.isoformat(),
        "entry": [_entry(i, report.outcomes.get(i), patient_id) for i in range(size)],
    }
    Bundle.model_validate(data)
    return data


def _failing_type(status: str) -> str:
    """The issue type of an entry that failed a transaction: its own when it is an error
    or warning (``invalid``, ``code-invalid``…), else ``invalid``."""
    _, severity, code = ENTRY_ANSWER.get(status, _OTHER)
    return code if severity in ("error", "warning") and status in ENTRY_ANSWER else "invalid"


def refusal(failing: Sequence[Outcome]) -> dict[str, Any]:
    """A refused transaction (nothing written) as an OperationOutcome: the refusal, then an
    error issue per failing entry (``Bundle.entry[i]``) with its reason."""
    issues = [
        Issue(
            "error",
            "processing",
            "transaction refused, nothing written: every entry the engine reads must be "
            "accepted (send a batch to import entries on their own)",
        )
    ]
    issues += [
        Issue(
            "error",
            _failing_type(o.status),
            f"{o.resource}: {o.reason or o.status}",
            (_where(o),),
        )
        for o in failing
    ]
    return operation_outcome(issues)


def _where(outcome: Outcome) -> str:
    """The element a failing entry's reason names (``Bundle.entry[0].resource.code``), else
    the entry."""
    entry = f"Bundle.entry[{outcome.index}]"
    found = re.match(r"(Bundle\.entry\[\d+\][\w.\[\]]*)", outcome.reason or "")
    return found.group(1) if found and found.group(1).startswith(entry) else entry
