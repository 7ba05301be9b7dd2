"""The store in SQL (a SQLite file, or PostgreSQL when a clinic outgrows one machine).

Reads are plain Core statements built once (a record is read for every evaluation, a batch
of five hundred for each step of the daily run); every write goes through the one writer
(`persistence.writer`) into `persistence.sql_tables`.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from datetime import date, datetime
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Engine, bindparam, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col
from sqlmodel import select as select_rows

from pathway import PatientRecord
from pathway.patient_identifier import folded_id

from .audit_key import AuditKeyring, load_keyring
from .changes import PatientChanges, StoredTask, Written
from .errors import ConcurrencyConflict
from .patients import CHANGED_MEANWHILE, Patient
from .ports import StoredRows
from .records import load_records
from .sql_tables import SqlTables
from .tables import (
    AlertRow,
    CareTaskRow,
    ObservationRow,
    PatientRow,
    PhenotypeEntryRow,
    ProcedureRow,
    RetractionRow,
    TaskActionRow,
    TherapyEventRow,
    TransitionRow,
    VaccinationRow,
)
from .unit_of_work import is_race, unit_of_work
from .writer import write

__all__ = ["SqlStore", "SqlUnitOfWork"]

_PATIENT = PatientRow.__table__  # type: ignore[attr-defined]
_TASK = CareTaskRow.__table__  # type: ignore[attr-defined]
_READ = select(*_PATIENT.columns)
_BY_EXTERNAL_ID = _READ.where(_PATIENT.c.external_id == bindparam("key"))
_BY_ID = _READ.where(_PATIENT.c.id == bindparam("key"))
_PRESENT = select(_PATIENT.c.external_id).where(
    _PATIENT.c.external_id.in_(bindparam("ids", expanding=True))
)
_ENROLLED_AS = select(_PATIENT.c.external_id_folded, _PATIENT.c.external_id).where(
    _PATIENT.c.external_id_folded.in_(bindparam("folded", expanding=True))
)
_STORED = select(
    _TASK.c.patient_id,
    _TASK.c.id,
    _TASK.c.key,
    _TASK.c.kind,
    _TASK.c.opened_on,
    _TASK.c.due_on,
    _TASK.c.status,
    _TASK.c.closed_on,
    _TASK.c.rescheduled_to,
    _TASK.c.assignee,
    _TASK.c.declined_reason,
).order_by(_TASK.c.patient_id, _TASK.c.id)
_STORED_OF_PATIENTS = _STORED.where(_TASK.c.patient_id.in_(bindparam("ids", expanding=True)))
_STORED_OF_PATIENT = _STORED.where(_TASK.c.patient_id == bindparam("id"))


class SqlStore:
    """Units of work on one database (or, `within`, inside a caller's open session)."""

    def __init__(
        self,
        engine: Engine,
        session: Session | None = None,
        keyring: AuditKeyring | None = None,
    ) -> None:
        self.engine = engine
        self.session = session
        self.keyring = keyring or load_keyring()
        """The audit key the chains are signed with (default: ``ILDPATH_AUDIT_KEY_FILE``,
        made on first use)."""

    def unit_of_work(self) -> "SqlUnitOfWork":
        return SqlUnitOfWork(self.engine, self.session, self.keyring)

    def within(self, session: Session) -> "SqlStore":
        """Units of work inside ``session``, committed by whoever opened it."""
        return SqlStore(self.engine, session, self.keyring)

    def fingerprint(self) -> tuple[Any, ...]:
        with self.engine.connect() as connection:
            counts = tuple(
                connection.execute(select(func.count()).select_from(table)).scalar_one()
                for table in SQLModel.metadata.sorted_tables
            )
            heads = tuple(
                connection.execute(
                    select(_PATIENT.c.version, _PATIENT.c.audit_head).order_by(_PATIENT.c.id)
                )
            )
        return counts, heads

    @property
    def shareable(self) -> bool:
        """Other processes see what is committed, unless the work is inside a caller's
        session (not committed yet) or the database is SQLite in memory (one per
        connection)."""
        if self.session is not None:
            return False
        url = make_url(str(self.engine.url))
        return not (url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"))


class SqlUnitOfWork:
    """One transaction (`persistence.unit_of_work`), or the caller's session."""

    def __init__(self, engine: Engine, session: Session | None, keyring: AuditKeyring) -> None:
        self._engine, self._given, self._keyring = engine, session, keyring
        self._stack = ExitStack()

    def __enter__(self) -> Self:
        if self._given is not None:
            self.session = self._given
        else:
            self.session = self._stack.enter_context(unit_of_work(self._engine))
        self.patients = SqlPatients(self.session, self._keyring)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stack.__exit__(kind, error, traceback)


class SqlPatients:
    """The repository on one session."""

    def __init__(self, session: Session, keyring: AuditKeyring) -> None:
        self.session = session
        self.keyring = keyring

    def _one(self, statement: Any, key: object) -> Patient | None:
        row = self.session.connection().execute(statement, {"key": key}).first()
        return None if row is None else Patient(*row)

    def find(self, external_id: str) -> Patient | None:
        return self._one(_BY_EXTERNAL_ID, external_id)

    def get(self, patient_id: int) -> Patient | None:
        return self._one(_BY_ID, patient_id)

    def present(self, external_ids: Iterable[str]) -> set[str]:
        wanted = list(external_ids)
        if not wanted:
            return set()
        return set(self.session.connection().execute(_PRESENT, {"ids": wanted}).scalars())

    def enrolled_as(self, external_ids: Iterable[str]) -> dict[str, str]:
        folded = {external_id: folded_id(external_id) for external_id in external_ids}
        if not folded:
            return {}
        keys = sorted(set(folded.values()))
        connection = self.session.connection()
        rows = connection.execute(_ENROLLED_AS, {"folded": keys})
        found: dict[str, str] = {key: external_id for key, external_id in rows}
        return {given: found[key] for given, key in folded.items() if key in found}

    def records(self, patients: Sequence[Patient]) -> dict[int, PatientRecord]:
        return load_records(self.session, patients)

    def stored_tasks(self, patient_ids: Sequence[int]) -> dict[int, list[StoredTask]]:
        found: dict[int, list[StoredTask]] = {}
        if not patient_ids:
            return found
        connection = self.session.connection()
        rows = (
            connection.execute(_STORED_OF_PATIENT, {"id": patient_ids[0]})
            if len(patient_ids) == 1
            else connection.execute(_STORED_OF_PATIENTS, {"ids": list(patient_ids)})
        )
        for row in rows:
            found.setdefault(row[0], []).append(StoredTask(*row[1:]))
        return found

    def alert(self, alert_id: int) -> AlertRow | None:
        return self.session.get(AlertRow, alert_id)

    def task(self, task_id: int) -> CareTaskRow | None:
        return self.session.get(CareTaskRow, task_id)

    def rows(self, patient: Patient) -> StoredRows:
        def of(table: Any) -> list[Any]:
            query = select_rows(table).where(table.patient_id == patient.id).order_by(col(table.id))
            return list(self.session.exec(query))

        return StoredRows(
            of(AlertRow),
            of(CareTaskRow),
            of(TransitionRow),
            of(ObservationRow),
            of(TherapyEventRow),
            of(ProcedureRow),
            of(VaccinationRow),
            of(PhenotypeEntryRow),
            of(RetractionRow),
            of(TaskActionRow),
        )

    def to_judge(self, day: date, after: int, limit: int, last: int | None = None) -> list[Patient]:
        query = _READ.where(*_still_to_judge(day, after))
        if last is not None:
            query = query.where(_PATIENT.c.id <= last)
        rows = self.session.connection().execute(query.order_by(_PATIENT.c.id).limit(limit))
        return [Patient(*row) for row in rows]

    def ids_to_judge(self, day: date, after: int, limit: int) -> list[int]:
        query = select(_PATIENT.c.id).where(*_still_to_judge(day, after))
        rows = self.session.connection().execute(query.order_by(_PATIENT.c.id).limit(limit))
        return list(rows.scalars())

    def carry_quiet(self, day: date, quiet_basis: str, from_id: int) -> int:
        return SqlTables(self.session.connection()).carry_quiet(day, quiet_basis, from_id)

    def write(self, batch: Sequence[PatientChanges], now: Callable[[], datetime]) -> list[Written]:
        try:
            return write(SqlTables(self.session.connection()), batch, now, self.keyring)
        except IntegrityError as error:
            if is_race(error):  # a concurrent writer took the chain's next link first
                raise ConcurrencyConflict(CHANGED_MEANWHILE) from error
            raise


def _still_to_judge(day: date, after: int) -> Iterator[Any]:
    """Patients after row ``after``, not closed, not yet judged on ``day``."""
    c = _PATIENT.c
    yield c.state != "closed"
    yield c.id > after
    yield c.last_evaluated_on.is_(None) | (c.last_evaluated_on < day)
