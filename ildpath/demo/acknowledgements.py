"""The clinician's side of the demo: most critical alerts are acknowledged within a few days,
with the justification a clinician would give; some stay unacknowledged (CLINICAL_SPEC §7)."""

import random
from collections.abc import Iterator
from datetime import date, timedelta

from sqlalchemy import select
from sqlmodel import col

from persistence.tables import AlertRow, PatientRow

from ..bootstrap import App
from .plan import PlannedEvent

__all__ = ["ACKNOWLEDGED_SHARE", "JUSTIFICATIONS", "acknowledgements"]

ACKNOWLEDGED_SHARE = 0.75

JUSTIFICATIONS = {
    "MDA5_STEP_UP_THERAPY": "Third agent delayed by hepatitis B and TB screening; triple "
    "therapy now complete. Reviewed at the ILD meeting.",
    "AVOID_FIRST_LINE_AGENT": "Started by the referring team for myositis before the ILD "
    "work-up; stopped, triple therapy started.",
    "AVOID_AGENT": "Biologic started elsewhere for arthritis before the anti-MDA5 result; "
    "discontinued.",
    "ANTIFIBROTIC_IN_ACUTE_RPILD": "Antifibrotic started by the referring pulmonologist; "
    "stopped at the start of immunosuppression.",
    "PLASMA_EXCHANGE_OVERDUE": "Plasma exchange delayed by central line access and apheresis "
    "slot; now scheduled.",
    "TRANSPLANT_REFERRAL_NEEDED": "Transplant centre contacted; referral under way.",
    "CMV_REACTIVATION": "Low-level CMV DNAemia; pre-emptive valganciclovir, weekly CMV DNA.",
}
"""What the demo clinician writes when acknowledging each critical alert code."""


def acknowledgements(app: App, seed: int, day: date) -> Iterator[tuple[str, PlannedEvent]]:
    """The acknowledgements given on ``day`` (seeded: the same alert is always handled the
    same way), for patients not closed."""
    with app.transaction() as session:
        rows = list(
            session.execute(  # SQLAlchemy's select: SQLModel's is typed for four columns at most
                select(
                    col(AlertRow.id),
                    col(PatientRow.external_id),
                    col(AlertRow.code),
                    col(AlertRow.key),
                    col(AlertRow.raised_on),
                )
                .join(PatientRow, col(PatientRow.id) == col(AlertRow.patient_id))
                .where(
                    col(AlertRow.severity) == "critical",
                    col(AlertRow.acknowledged_at).is_(None),
                    col(AlertRow.status) != "withdrawn",  # cannot be acknowledged (§7a)
                    col(PatientRow.state) != "closed",
                )
                .order_by(col(AlertRow.id))
            )
        )
    for alert_id, patient_id, code, key, raised_on in rows:
        rng = random.Random(f"ildpath-demo:{seed}:{patient_id}:{key}:acknowledge")
        if rng.random() >= ACKNOWLEDGED_SHARE:
            continue
        if raised_on + timedelta(days=rng.randint(0, 4)) > day:
            continue
        justification = JUSTIFICATIONS.get(code, "Reviewed by the treating clinician.")
        yield (
            patient_id,
            PlannedEvent(
                day, "acknowledge", {"alert_id": alert_id, "justification": justification}
            ),
        )
