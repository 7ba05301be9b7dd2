"""Export a patient's, or the cohort's, pathway as a FHIR collection Bundle: Patient, CarePlan
(state, open tasks, recommendations), Task per care task, DetectedIssue per alert,
Observation per recorded observation (status per §11 corrections, `recorded`),
AuditEvent per transition and per record view, Provenance of the CarePlan, and the engine as
a Device.

Reading only: the record is read through ``patient_summary`` and the tables, and nothing is
written, except that an export is a view of each patient's record, so it is logged in the
access log (``record_view``) after the bundle is built (a bundle never lists its own view).
The bundle is validated with ``fhir.resources`` (R4B) before it is returned.
"""

from typing import Any

from fhir.resources.R4B.bundle import Bundle
from sqlmodel import col, select

from persistence.fhir_tables import PatientIdentifierRow
from persistence.record_views import RecordViewRow
from persistence.tables import PatientRow

from .. import __version__
from ..bootstrap import App
from ..usecases import Actor, patient_summary
from ..usecases.listings import Listing, log_listing
from ..usecases.patient_data import patient_data
from ..usecases.views import record_view
from . import resources as r
from .listing_events import audit_listing, listings_of
from .recorded import observations

__all__ = ["export_cohort", "export_patient"]

EXPORT_VIEW = "fhir export"


def _views(app: App, patient_pk: int) -> list[RecordViewRow]:
    with app.transaction() as session:
        return list(
            session.exec(
                select(RecordViewRow)
                .where(RecordViewRow.patient_id == patient_pk)
                .order_by(col(RecordViewRow.seq))
            )
        )


def _ehr_identifiers(app: App, patient_pk: int) -> list[r.EhrIdentifier]:
    """The identifiers the sending systems gave the patient, in the order they came."""
    with app.transaction() as session:
        rows = session.exec(
            select(PatientIdentifierRow)
            .where(PatientIdentifierRow.patient_id == patient_pk)
            .order_by(col(PatientIdentifierRow.id))
        )
        return [(row.system, row.value, row.type_code) for row in rows]


def _patient_resources(app: App, external_id: str) -> list[dict[str, Any]]:
    summary = patient_summary(app, external_id)
    data = patient_data(summary)
    assert summary.patient.id is not None
    refs = r.Refs(external_id, summary.patient.id, _ehr_identifiers(app, summary.patient.id))
    open_tasks = [t for t in summary.tasks if t.status == "open"]
    return [
        r.patient(refs, data),
        r.care_plan(refs, data, open_tasks),
        r.provenance(refs, summary.as_of, app.clock.now(), data["pathway_version"]),
        *(r.task(refs, t) for t in summary.tasks),
        *(r.detected_issue(refs, a, summary.as_of) for a in summary.alerts),
        *observations(refs, summary),
        *(r.audit_transition(refs, t) for t in summary.transitions),
        *(r.audit_view(refs, v) for v in _views(app, summary.patient.id)),
        *(audit_listing(refs, shown) for shown in listings_of(app, summary.patient.id)),
    ]


def _bundle(app: App, resources: list[dict[str, Any]]) -> str:
    """The resources as a collection Bundle, validated against FHIR R4B."""
    device = r.engine_device(__version__, app.definition.version)
    entries = [{"fullUrl": r.full_url("Device", r.ENGINE_ID, ""), "resource": device}]
    entries += [{"fullUrl": url, "resource": resource} for url, resource in resources]
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": app.clock.now().isoformat(),
        "entry": entries,
    }
    return Bundle.model_validate(bundle).model_dump_json(indent=2) + "\n"


def _with_urls(external_id: str, resources: list[dict[str, Any]]) -> list[Any]:
    return [(r.full_url(res["resourceType"], res["id"], external_id), res) for res in resources]


def export_patient(app: App, external_id: str, actor: Actor, *, via: str) -> str:
    """One patient's bundle (JSON); the export is logged as a view of the record."""
    resources = _with_urls(external_id, _patient_resources(app, external_id))
    text = _bundle(app, resources)
    record_view(app, external_id, actor, via=via, what=EXPORT_VIEW)
    return text


def export_cohort(app: App, actor: Actor, *, via: str) -> str:
    """Every patient's bundle in one (JSON); logged as one listing naming every patient in it
    (one entry per export, not one per patient)."""
    with app.transaction() as session:
        ids = list(session.exec(select(PatientRow.external_id).order_by(col(PatientRow.id))))
    resources = []
    for external_id in ids:
        resources += _with_urls(external_id, _patient_resources(app, external_id))
    text = _bundle(app, resources)
    log_listing(app, Listing(actor, via, f"{EXPORT_VIEW} (cohort)"), ids)
    return text
