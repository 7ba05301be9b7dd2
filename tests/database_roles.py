"""The application's own PostgreSQL role in the tests, as a clinic's DBA sets it up.

Test databases are made and migrated by the server's superuser (the owner), and the
application then connects as `APP_ROLE`, which may only read and append to the audit tables
(`persistence.audit_protection`). `owner_url_for` maps an application URL back to the owner's,
for what needs the owner's rights (tampering, migrations).
"""

from __future__ import annotations

import os
from contextlib import suppress

import psycopg
from psycopg import errors, sql
from sqlalchemy.engine import URL, make_url

from persistence.audit_protection import APP_ROLE

__all__ = ["APP_PASSWORD", "APP_ROLE", "app_url_for", "ensure_app_role", "owner_url_for"]

APP_PASSWORD = "ildpath-app-test"
"""The test role's password (the test server trusts local connections; a clinic's is secret)."""

_owners: dict[str, str] = {}
"""Application URL -> owner URL, for every database `app_url_for` gave out."""
_roles_made: set[tuple[str | None, int | None]] = set()


def _render(url: str | URL) -> str:
    return make_url(url).render_as_string(hide_password=False)


def ensure_app_role(server_url: str) -> None:
    """Create the login role `APP_ROLE` on the server of ``server_url`` once (idempotent,
    also across runs and processes that share the server)."""
    url = make_url(server_url)
    if (url.host, url.port) in _roles_made:
        return
    connect = {
        "host": url.host,
        "port": url.port,
        "user": url.username,
        "password": url.password,
        "dbname": url.database or "postgres",
        **url.query,
    }
    with psycopg.connect(
        **{k: v for k, v in connect.items() if v is not None}, autocommit=True
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE]).fetchone()
        if exists is None:
            # another process may make it meanwhile: theirs stands
            with suppress(errors.DuplicateObject, errors.UniqueViolation):
                conn.execute(
                    sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                        sql.Identifier(APP_ROLE), sql.Literal(APP_PASSWORD)
                    )
                )
    _roles_made.add((url.host, url.port))


def app_url_for(owner_url: str) -> str:
    """The URL of the same database as the application role; remembered for
    `owner_url_for`."""
    app = _render(make_url(owner_url).set(username=APP_ROLE, password=APP_PASSWORD))
    _owners[app] = _render(owner_url)
    return app


def owner_url_for(url: str) -> str:
    """The owner's URL of the database at ``url`` (``url`` itself when it is not the
    application role's; SQLite files have no roles)."""
    rendered = _render(url)
    parsed = make_url(rendered)
    if parsed.get_backend_name() != "postgresql" or parsed.username != APP_ROLE:
        return rendered
    if rendered in _owners:
        return _owners[rendered]
    server = os.environ.get("ILDPATH_TEST_POSTGRES_URL")
    if server:  # a database made in another process of the run: the server's superuser
        return _render(make_url(server).set(database=parsed.database))
    raise LookupError(f"no owner known for the database {parsed.database}")
