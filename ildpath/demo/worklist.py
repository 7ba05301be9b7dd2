"""The coordinator's worklist of the day: open tasks due within the next weeks."""

from datetime import date, timedelta

from sqlalchemy import select
from sqlmodel import col

from persistence.tables import CareTaskRow, PatientRow

from ..bootstrap import App
from ..usecases.tasks import OpenTask

__all__ = ["HORIZON_DAYS", "worklist"]

HORIZON_DAYS = 60
"""No demo task is done more than 46 days before it is due (pulmonary rehabilitation)."""


def worklist(app: App, day: date) -> list[OpenTask]:
    """Open tasks due by ``day`` + 60 days, soonest first (columns only: read every day)."""
    with app.transaction() as session:
        rows = session.execute(  # SQLAlchemy's select: SQLModel's is typed for four columns at most
            select(
                col(PatientRow.external_id),
                col(CareTaskRow.kind),
                col(CareTaskRow.key),
                col(CareTaskRow.opened_on),
                col(CareTaskRow.due_on),
            )
            .join(PatientRow, col(PatientRow.id) == col(CareTaskRow.patient_id))
            .where(
                col(CareTaskRow.status) == "open",
                col(CareTaskRow.due_on) <= day + timedelta(days=HORIZON_DAYS),
            )
            .order_by(col(CareTaskRow.due_on), col(PatientRow.external_id), col(CareTaskRow.key))
        )
        return [OpenTask(*row) for row in rows]
