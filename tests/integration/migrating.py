"""Moving a test database's schema by hand, and the patient row an older release wrote: what
each migration test needs to start from a database as it stood before its revision."""

from datetime import UTC, date, datetime

from alembic import command
from sqlalchemy import Connection, text

from persistence.database import alembic_config, make_engine

__all__ = ["OLD_DAY", "insert_old_patient", "migrate"]

OLD_DAY = date(2026, 3, 2)
_OLD_NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


def migrate(url: str, revision: str, *, down: bool = False) -> None:
    """Upgrade (or downgrade) the database at ``url`` to ``revision`` in one transaction."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config(engine)
            config.attributes["connection"] = connection
            (command.downgrade if down else command.upgrade)(config, revision)
    finally:
        engine.dispose()


def insert_old_patient(connection: Connection) -> None:
    """Patient 1, ``OLD-1``, enrolled on `OLD_DAY` under pathway 2026.11-3, as written before
    revision 2 (columns common to every revision since 0006)."""
    connection.execute(
        text(
            "INSERT INTO patient (id, external_id, sex, birth_date, enrolled_on, "
            "diagnosis, anti_mda5, anti_ars, ild_course, risk_factors, weight_kg, state, "
            "state_since, pathway_version, audit_seq, audit_head, created_at, version) "
            "VALUES (1, 'OLD-1', 'female', :birth, :day, 'dermatomyositis', 'negative', "
            "'negative', 'non_progressive', '[]', 60, 'diagnosis', :day, '2026.11-3', 0, "
            "'', :now, 1)"
        ),
        {"birth": date(1970, 5, 1), "day": OLD_DAY, "now": _OLD_NOW},
    )
