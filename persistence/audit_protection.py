"""Audit tables the application can only append to.

The chain detects tampering; this makes tampering need more than the application's rights.

* SQLite: the file belongs to whoever opens it, so the protection is a pair of triggers per
  audit table refusing UPDATE and DELETE (someone with the file can drop them: the chain and
  its checkpoints still catch what they then do).
* PostgreSQL: a trigger function refuses UPDATE, DELETE and TRUNCATE of audit rows for every
  role, and when the application's role (`APP_ROLE`) exists it is granted only SELECT and
  INSERT on the audit tables (read/write on the others), so taking the triggers off needs the
  owner. Without that role (a database run as its owner) the triggers alone protect it.

Installed by migration 0015 (run as the owner); `unprotect_audit_tables` is its downgrade.
Tables made append-only later (the listing log, migration 0023) use the same helpers with
their own ``tables``, so already-migrated databases see no change to 0015's work.
"""

from sqlalchemy import Connection, inspect, text

__all__ = [
    "APPEND_ONLY",
    "APP_ROLE",
    "AUDIT_TABLES",
    "LISTING_TABLES",
    "PROTECTED_TABLES",
    "app_role_exists",
    "protect_added_tables",
    "protect_again_as_owner",
    "protect_audit_tables",
    "unprotect_audit_tables",
    "unprotect_tables",
]

AUDIT_TABLES = ("audit_event", "record_view", "account_event", "installation")
"""Rows written once and never changed: the chains, the access log, the installation id
(migration 0015's list, kept as it was)."""

LISTING_TABLES = ("listing_view", "listing_view_patient")
"""The listing log (migration 0023): one entry per request that showed several patients."""

PROTECTED_TABLES = AUDIT_TABLES + LISTING_TABLES
"""Every append-only table of the newest schema (what `ildpath init` installs again)."""

APP_ROLE = "ildpath_app"
"""The documented default name of the role the application connects as on PostgreSQL."""

APPEND_ONLY = "is append-only: audit rows cannot be changed or deleted"
"""What a refused change says, after the table's name."""

_FUNCTION = "ildpath_audit_append_only"
_VERSION_TABLE = "alembic_version"


def _sqlite_triggers(table: str) -> dict[str, str]:
    refusal = f"SELECT RAISE(ABORT, '{table} {APPEND_ONLY}')"
    return {
        f"{table}_append_only_{action.lower()}": (
            f'CREATE TRIGGER IF NOT EXISTS "{table}_append_only_{action.lower()}" '
            f'BEFORE {action} ON "{table}" BEGIN {refusal}; END'
        )
        for action in ("UPDATE", "DELETE")
    }


def app_role_exists(connection: Connection, role: str = APP_ROLE) -> bool:
    """Whether the PostgreSQL server has the application's role."""
    found = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
    return found.first() is not None


def _schema(connection: Connection) -> str:
    name: str = connection.execute(text("SELECT current_schema()")).scalar_one()
    return '"' + name.replace('"', '""') + '"'


def _postgres_triggers(connection: Connection, tables: tuple[str, ...]) -> None:
    connection.execute(
        text(
            f"CREATE OR REPLACE FUNCTION {_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '% {APPEND_ONLY}', TG_TABLE_NAME; END $$"
        )
    )
    for table in tables:
        connection.execute(text(f'DROP TRIGGER IF EXISTS "{table}_append_only" ON "{table}"'))
        connection.execute(
            text(
                f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE ON "{table}" '
                f"FOR EACH ROW EXECUTE FUNCTION {_FUNCTION}()"
            )
        )
        connection.execute(
            text(f'DROP TRIGGER IF EXISTS "{table}_append_only_truncate" ON "{table}"')
        )
        connection.execute(
            text(
                f'CREATE TRIGGER "{table}_append_only_truncate" BEFORE TRUNCATE ON "{table}" '
                f"FOR EACH STATEMENT EXECUTE FUNCTION {_FUNCTION}()"
            )
        )


def _postgres_grants(connection: Connection, role: str, tables: tuple[str, ...]) -> None:
    """The application's rights: read/write on the working tables, only read and append on
    the audit tables, read on the schema version; the same for tables made later (by the
    owner who runs this)."""
    schema, who = _schema(connection), f'"{role}"'
    audit = ", ".join(f'"{table}"' for table in tables)
    for statement in (
        f"GRANT USAGE ON SCHEMA {schema} TO {who}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {who}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {who}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {audit} FROM {who}",
        f'REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON "{_VERSION_TABLE}" FROM {who}',
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {who}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
        f"GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {who}",
    ):
        connection.execute(text(statement))


def _postgres_revoke(connection: Connection, role: str) -> None:
    schema, who = _schema(connection), f'"{role}"'
    for statement in (
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
        f"REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM {who}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
        f"REVOKE USAGE, SELECT, UPDATE ON SEQUENCES FROM {who}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {who}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {who}",
    ):
        connection.execute(text(statement))


def protect_audit_tables(
    connection: Connection, role: str = APP_ROLE, tables: tuple[str, ...] = AUDIT_TABLES
) -> None:
    """Install the protection on ``tables`` (idempotent); run as the database's owner."""
    if connection.dialect.name == "sqlite":
        for table in tables:
            for statement in _sqlite_triggers(table).values():
                connection.execute(text(statement))
        return
    _postgres_triggers(connection, tables)
    if app_role_exists(connection, role):
        _postgres_grants(connection, role, tables)


def protect_added_tables(
    connection: Connection, tables: tuple[str, ...], role: str = APP_ROLE
) -> None:
    """Make tables a later migration adds append-only like the others: the same triggers,
    and on PostgreSQL the application's role may only read and append to them. Touches
    nothing else (re-granting every table here would hand the role back UPDATE and DELETE on
    the audit tables 0015 protected)."""
    if connection.dialect.name == "sqlite":
        protect_audit_tables(connection, role, tables)
        return
    _postgres_triggers(connection, tables)
    if app_role_exists(connection, role):
        who, listed = f'"{role}"', ", ".join(f'"{table}"' for table in tables)
        connection.execute(text(f"GRANT SELECT, INSERT ON {listed} TO {who}"))
        connection.execute(text(f"REVOKE UPDATE, DELETE, TRUNCATE ON {listed} FROM {who}"))


def _drop_triggers(connection: Connection, tables: tuple[str, ...]) -> None:
    for table in tables:
        if connection.dialect.name == "sqlite":
            for name in _sqlite_triggers(table):
                connection.execute(text(f'DROP TRIGGER IF EXISTS "{name}"'))
            continue
        connection.execute(text(f'DROP TRIGGER IF EXISTS "{table}_append_only" ON "{table}"'))
        connection.execute(
            text(f'DROP TRIGGER IF EXISTS "{table}_append_only_truncate" ON "{table}"')
        )


def unprotect_audit_tables(connection: Connection, role: str = APP_ROLE) -> None:
    """Remove what `protect_audit_tables` installed (the downgrade of migration 0015)."""
    _drop_triggers(connection, AUDIT_TABLES)
    if connection.dialect.name == "sqlite":
        return
    connection.execute(text(f"DROP FUNCTION IF EXISTS {_FUNCTION}()"))
    if app_role_exists(connection, role):
        _postgres_revoke(connection, role)


def unprotect_tables(connection: Connection, tables: tuple[str, ...]) -> None:
    """Take the triggers off ``tables`` only (the downgrade of a later migration, which drops
    those tables next); the shared trigger function and the grants of 0015 stay."""
    _drop_triggers(connection, tables)


def _present(connection: Connection) -> tuple[str, ...]:
    """The protected tables this database has (all of them once migrated to the newest)."""
    have = set(inspect(connection).get_table_names())
    return tuple(table for table in PROTECTED_TABLES if table in have)


def _owns_audit_tables(connection: Connection) -> bool:
    owner = connection.execute(
        text(
            "SELECT tableowner FROM pg_tables "
            "WHERE schemaname = current_schema() AND tablename = 'audit_event'"
        )
    ).scalar()
    return owner is not None and owner == connection.execute(text("SELECT current_user")).scalar()


def protect_again_as_owner(connection: Connection, role: str = APP_ROLE) -> str:
    """Install the protection again where this connection may (`ildpath init`): triggers
    someone dropped come back, and a role created after the migration gets its grants. Says
    what holds, for the person who ran it."""
    if connection.dialect.name == "sqlite":
        protect_audit_tables(connection, role, _present(connection))
        return "append-only (triggers)"
    if not _owns_audit_tables(connection):
        return (
            "protection not checked: connected as a role that does not own them (run "
            "`ildpath init` as the owner to install it again)"
        )
    protect_audit_tables(connection, role, _present(connection))
    if app_role_exists(connection, role):
        return f"append-only (triggers); the role {role} may only read and append to them"
    return (
        f"append-only (triggers); no role {role} on this server: the application connects as "
        "the owner (docs/audit.md, role setup)"
    )
