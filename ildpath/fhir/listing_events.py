"""The listing log in a patient's export: each listing that named the patient (the board,
a worklist, a calendar, a cohort report …) as a FHIR AuditEvent, beside the single views
(`resources.audit_view`), so the receiving system sees every read of the record."""

from typing import Any

from sqlmodel import col, select

from persistence.listing_views import ListingPatientRow, ListingViewRow

from ..bootstrap import App
from .resources import DCM, Refs, engine_reference

__all__ = ["audit_listing", "listings_of"]


def listings_of(app: App, patient_pk: int) -> list[ListingViewRow]:
    """The listings that named the patient, oldest first."""
    with app.transaction() as session:
        return list(
            session.exec(
                select(ListingViewRow)
                .join(ListingPatientRow, col(ListingPatientRow.listing_id) == ListingViewRow.id)
                .where(ListingPatientRow.patient_id == patient_pk)
                .order_by(col(ListingViewRow.seq))
            )
        )


def audit_listing(refs: Refs, row: ListingViewRow) -> dict[str, Any]:
    """One listing that showed the patient among ``row.patients``: a read (``R``) of the
    record, by whom, through what and as asked. The id names the patient too, so a cohort
    export holding the same listing for several patients has no duplicate resource."""
    return {
        "resourceType": "AuditEvent",
        "id": f"listing-{row.id}-{refs.pk}",
        "type": {"system": DCM, "code": "110110", "display": "Patient Record"},
        "action": "R",
        "recorded": row.viewed_at.isoformat(),
        "outcome": "0",
        "agent": [
            {
                "who": {"display": row.actor},
                "name": row.actor,
                "role": [{"text": row.role}],
                "requestor": True,
            }
        ],
        "source": {"site": "ildpath", "observer": engine_reference()},
        "entity": [{"what": refs.patient(), "detail": _details(row)}],
    }


def _details(row: ListingViewRow) -> list[dict[str, str]]:
    pairs = [
        ("via", row.via),
        ("what", row.what),
        ("query", row.query),
        ("patients shown", str(row.patients)),
    ]
    return [{"type": name, "valueString": value} for name, value in pairs if value]
