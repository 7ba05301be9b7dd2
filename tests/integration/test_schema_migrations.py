"""The application upgrades the schema on start, and the migrations match the tables."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from ildpath.bootstrap import bootstrap
from ildpath.settings import Settings
from persistence.database import make_engine, upgrade_schema

NOT_OURS = {"apscheduler_jobs"}  # the scheduler's job store, APScheduler's own definition


def test_start_creates_every_table_on_an_empty_database(empty_database_url):
    app = bootstrap(Settings(database_url=empty_database_url))
    try:
        tables = set(inspect(app.engine).get_table_names())
    finally:
        app.engine.dispose()
    assert set(SQLModel.metadata.tables) | {"alembic_version", *NOT_OURS} <= tables


def test_migrations_match_the_table_models_and_upgrade_is_idempotent(empty_database_url):
    engine = make_engine(empty_database_url)
    try:
        upgrade_schema(engine)
        upgrade_schema(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "include_name": lambda name, kind, _: kind != "table" or name not in NOT_OURS
                },
            )
            diff = compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()
    assert diff == []
