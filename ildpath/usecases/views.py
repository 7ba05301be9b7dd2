"""Every view of a patient record goes into the access log (who, when, what, through what)."""

from sqlalchemy.exc import OperationalError
from sqlmodel import select

from persistence.errors import ConcurrencyConflict
from persistence.record_views import append_view
from persistence.tables import PatientRow

from ..bootstrap import App
from ..errors import PatientNotFound
from .chain_race import append_despite_races
from .work import Actor

__all__ = ["record_view"]


def record_view(app: App, external_id: str, actor: Actor, *, via: str, what: str) -> None:
    """Log that ``actor`` saw ``what`` of the patient. Views of one patient queue on its row
    (PostgreSQL: ``FOR NO KEY UPDATE``, which neither bumps its version nor blocks a writer's
    new entries); where the database cannot queue them (SQLite's snapshot), the loser of the
    sequence race waits a moment and retries, so simultaneous views are all logged."""

    def append() -> None:
        with app.transaction() as session:
            patient = session.exec(
                select(PatientRow)
                .where(PatientRow.external_id == external_id)
                .with_for_update(key_share=True)
            ).first()
            if patient is None or patient.id is None:
                raise PatientNotFound(external_id)
            append_view(
                session,
                patient.id,
                actor=actor.name,
                role=actor.role,
                via=via,
                what=what,
                viewed_at=app.clock.now(),
                keyring=app.sql.keyring,
            )

    append_despite_races(append, (ConcurrencyConflict, OperationalError))
