"""One transaction per use case: commit together, or write nothing.

A stale write (the patient's version moved since it was read) becomes ConcurrencyConflict,
and so does losing a race on a per-patient unique key (audit sequence, alert or task key).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from .errors import ConcurrencyConflict
from .patients import CHANGED_MEANWHILE

__all__ = ["is_race", "unit_of_work"]

_RACE_CONSTRAINTS = (
    "uq_audit_patient_seq",
    "uq_alert_patient_key",
    "uq_care_task_patient_key",
    "uq_record_view_patient_seq",
    "record_view.patient_id",
    "ix_patient_external_id",
    "patient.external_id",
)


def is_race(error: IntegrityError) -> bool:
    """Whether a unique key refused a row because another writer of the same patient wrote
    first (the chain's next link, an alert's or a task's key; or the patient itself, enrolled
    under the same id, in any case, by two people at once)."""
    text = str(error.orig)
    return any(name in text for name in _RACE_CONSTRAINTS) or "audit_event.patient_id" in text


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed if the block ends normally, else rolled back."""
    session = Session(engine, expire_on_commit=False, autoflush=False)
    try:
        yield session
        session.commit()
    except StaleDataError as error:
        session.rollback()
        raise ConcurrencyConflict(CHANGED_MEANWHILE) from error
    except IntegrityError as error:
        session.rollback()
        if is_race(error):
            raise ConcurrencyConflict(
                "the patient was changed by someone else at the same time; reload and retry"
            ) from error
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
