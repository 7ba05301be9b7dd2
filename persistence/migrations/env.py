"""Alembic environment: the SQLModel tables are the target; the application passes its
connection in (`persistence.database.upgrade_schema`), the `alembic` command uses the URL."""

from alembic import context
from sqlalchemy import Connection, engine_from_config, pool
from sqlmodel import SQLModel

import persistence.account_chain  # registers the accounts chain
import persistence.account_tables  # registers the accounts (users, API tokens, sessions)
import persistence.fhir_tables  # registers the ledger of imported FHIR resources
import persistence.installation  # registers the installation id
import persistence.listing_views  # registers the listing log (several patients per request)
import persistence.record_views  # registers the access log on SQLModel.metadata
import persistence.sign_in_tables  # registers the failed sign-ins (throttling)
import persistence.sign_on_tables  # registers hospital single sign-on (OpenID Connect)
import persistence.tables  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
target_metadata = SQLModel.metadata


NOT_OURS = frozenset({"apscheduler_jobs"})
"""Tables the schema holds but no model describes: the scheduler's job store (APScheduler's
definition, made by migration 0015), left out of autogenerate's comparison."""


def _ours(name: str | None, type_: str, _parent: object) -> bool:
    return not (type_ == "table" and name in NOT_OURS)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_name=_ours,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as conn:
        _run(conn)
