"""The composition root: settings, clock, definition and database wired once."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from sqlalchemy import Engine
from sqlmodel import Session

from pathway import PathwayDefinition, default_definition, load_definition
from persistence.database import make_engine, upgrade_schema
from persistence.unit_of_work import unit_of_work

from .clock import Clock, SystemClock
from .settings import Settings

__all__ = ["App", "bootstrap"]


@dataclass
class App:
    """What every use case needs; built by `bootstrap`, never at import time."""

    engine: Engine
    clock: Clock
    definition: PathwayDefinition
    settings: Settings
    session: Session | None = field(default=None, repr=False)
    """Set by `within`: every use case then works inside this session, committed by whoever
    opened it."""

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        if self.session is not None:
            yield self.session
            return
        with unit_of_work(self.engine) as session:
            yield session

    def within(self, session: Session) -> "App":
        """This application with every use case inside ``session``, so several use cases
        (and the caller's own rows) commit together or not at all (e.g. a FHIR import's
        entry with its ledger row)."""
        return replace(self, session=session)


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
    definition = (
        load_definition(settings.definition) if settings.definition else default_definition()
    )
    engine = make_engine(settings.database_url)
    if upgrade:
        upgrade_schema(engine)
    return App(engine, clock or SystemClock(settings.timezone), definition, settings)
