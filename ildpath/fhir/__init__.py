"""FHIR R4 interoperability: import a Bundle of clinical resources through the use cases, and
export a patient's or the cohort's pathway (CarePlan, Task, DetectedIssue, AuditEvent,
Provenance) as a Bundle. Resources are validated with ``fhir.resources`` against FHIR R4B
(4.3.0), wire-compatible with R4 for the resources used here. ``docs/fhir.md`` has the
mapping tables and the extensions."""

from .bundle import parse_bundle
from .importing import import_bundle
from .report import ImportReport, Outcome

__all__ = ["ImportReport", "Outcome", "import_bundle", "parse_bundle"]
