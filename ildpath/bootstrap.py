"""The composition root: settings, clock, definition and store wired once."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from sqlalchemy import Engine
from sqlmodel import Session

from pathway import PathwayDefinition, default_definition, load_definition
from persistence.audit_key import load_keyring
from persistence.database import make_engine, upgrade_schema
from persistence.memory_store import MemoryStore
from persistence.ports import Store, UnitOfWork
from persistence.sql_store import SqlStore
from persistence.unit_of_work import unit_of_work

from .clock import Clock, SystemClock
from .settings import Settings

__all__ = ["App", "bootstrap", "memory_app"]


@dataclass
class App:
    """What every use case needs; built by `bootstrap`, never at import time. Use cases
    reach the records through ``store`` alone (`unit_of_work`); what reads the database
    directly (reports, lists, the scheduler) needs the SQL store's `engine`."""

    store: Store
    clock: Clock
    definition: PathwayDefinition
    settings: Settings

    def unit_of_work(self) -> UnitOfWork:
        return self.store.unit_of_work()

    @property
    def sql(self) -> SqlStore:
        if not isinstance(self.store, SqlStore):
            raise TypeError("this needs the SQL store; the application runs on memory")
        return self.store

    @property
    def engine(self) -> Engine:
        return self.sql.engine

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session for what reads (or writes outside the records) in SQL: the caller's
        when the application runs `within` one."""
        store = self.sql
        if store.session is not None:
            yield store.session
            return
        with unit_of_work(store.engine) as session:
            yield session

    def within(self, session: Session) -> "App":
        """This application with every use case inside ``session``, so several use cases
        (and the caller's own rows) commit together or not at all (e.g. a FHIR import's
        entry with its ledger row)."""
        return replace(self, store=self.sql.within(session))


def _definition(settings: Settings) -> PathwayDefinition:
    return load_definition(settings.definition) if settings.definition else default_definition()


def bootstrap(
    settings: Settings | None = None,
    clock: Clock | None = None,
    *,
    upgrade: bool = True,
) -> App:
    """Build the application; upgrades the schema so a clinic never migrates by hand. The
    pathway definition is read first: a wrong one (`pathway.errors.DefinitionError`) stops
    every command before anything is written."""
    settings = settings or Settings()
    definition = _definition(settings)
    engine = make_engine(settings.database_url)
    keyring = load_keyring(settings.audit_key_file)
    if upgrade:
        upgrade_schema(engine, keyring)
    clock = clock or SystemClock(settings.timezone)
    return App(SqlStore(engine, keyring=keyring), clock, definition, settings)


def memory_app(
    clock: Clock, settings: Settings | None = None, definition: PathwayDefinition | None = None
) -> App:
    """The application on the memory store: every use case, no database (the fast tier of
    use-case tests)."""
    settings = settings or Settings()
    return App(MemoryStore(), clock, definition or _definition(settings), settings)
