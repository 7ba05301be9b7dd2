"""The CapabilityStatement ``GET /fhir/metadata`` answers: what this server is and does, which
a FHIR client fetches before anything else (so it needs no sign-in).

It says what is true of ildpath, no more: the base accepts ``transaction`` and ``batch``
Bundles (``POST /fhir``); the resource types listed are those the importer reads (its
``READERS``, the Patient and the Medication a statement or request references) and those the
export writes. Nothing is readable or searchable at the FHIR base: the exports are served
under ``/api`` (``docs/fhir.md``), so no type has a RESTful interaction.
"""

from datetime import datetime
from typing import Any

from fhir.resources.R4B.capabilitystatement import CapabilityStatement

from .. import __version__
from .importer import READERS

__all__ = ["EXPORTED", "IMPORTED", "capability_statement"]

FHIR_VERSION = "4.0.1"
"""R4: what clients ask for. Resources are validated as R4B (4.3.0), wire-compatible with R4
for every type used here (``docs/fhir.md``)."""

IMPORTED = ("Patient", *READERS, "Medication")
EXPORTED = (
    "Patient",
    "CarePlan",
    "Task",
    "DetectedIssue",
    "Observation",
    "AuditEvent",
    "Provenance",
    "Device",
)

_SECURITY = (
    "Send 'Authorization: Bearer <API token>' with every request except GET /fhir/metadata; "
    "a token is issued to an ildpath account by an administrator ('ildpath user token'). "
    "Importing needs a role that may enrol patients and record data (coordinator, clinician)."
)


def _resource(kind: str) -> dict[str, Any]:
    said = []
    if kind in IMPORTED:
        said.append("read from a transaction or batch Bundle POSTed to the base")
    if kind in EXPORTED:
        said.append(
            "written in the pathway export (GET /api/patients/{id}/fhir, GET /api/fhir/cohort)"
        )
    text = "; ".join(said)
    return {"type": kind, "documentation": text[0].upper() + text[1:] + "."}


def capability_statement(base_url: str, now: datetime) -> dict[str, Any]:
    """The statement (validated with ``fhir.resources`` R4B) for the server at ``base_url``
    (the URL of ``/fhir``), dated ``now``."""
    kinds = sorted(set(IMPORTED) | set(EXPORTED))
    data: dict[str, Any] = {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": now.isoformat(),
        "publisher": "ildpath",
        "kind": "instance",
        "software": {"name": "ildpath", "version": __version__},
        "implementation": {
            "description": (
                "ildpath: care pathway for ILD in inflammatory myopathy; decision support "
                "(the engine proposes, clinicians decide)"
            ),
            "url": base_url,
        },
        "fhirVersion": FHIR_VERSION,
        "format": ["json", "application/fhir+json"],
        "rest": [
            {
                "mode": "server",
                "documentation": (
                    "POST a transaction Bundle (all or nothing: answered with a "
                    "transaction-response) or a batch Bundle (each entry on its own: a "
                    "batch-response) to the base. Errors are OperationOutcomes."
                ),
                "security": {"cors": False, "description": _SECURITY},
                "resource": [_resource(kind) for kind in kinds],
                "interaction": [
                    {"code": "transaction", "documentation": "All or nothing."},
                    {"code": "batch", "documentation": "Each entry on its own."},
                ],
            }
        ],
    }
    CapabilityStatement.model_validate(data)
    return data
