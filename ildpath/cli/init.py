"""`ildpath init`: make (or bring up to date) the clinic's database."""

import typer
from sqlalchemy import func, select

from persistence.audit_checkpoint import CheckpointError
from persistence.audit_protection import protect_again_as_owner
from persistence.installation import installation_id
from persistence.tables import PatientRow

from ..settings import safe_url
from ..usecases.audit_checkpoint import append_checkpoint
from .edge import console, open_app


def init() -> None:
    """Create the database (ILDPATH_DATABASE_URL; default ildpath.db here) or upgrade its
    schema to this version, and make the audit key, the installation id and the checkpoint
    file (anchoring the chain heads as they stand); as the owner, install the audit tables'
    protection again (a role created since gets its grants). Safe to run again: nothing is lost."""
    app = open_app()
    with app.engine.connect() as connection:
        patients = connection.execute(select(func.count()).select_from(PatientRow)).scalar_one()
    console.print(f"database ready: {safe_url(app.settings.database_url)} ({patients} patients)")
    console.print(f"installation: {installation_id(app.engine)}")
    with app.engine.begin() as connection:
        console.print(f"audit tables: {protect_again_as_owner(connection)}")
    console.print(
        f"audit key: {app.sql.keyring.path} (mode 0600; keep a copy off this host and out of "
        "the database's backups)"
    )
    try:
        checkpoint = append_checkpoint(app)
    except CheckpointError as error:
        console.print(f"[bold red]audit checkpoints not written[/]: {error}", markup=True)
        raise typer.Exit(1) from None
    console.print(
        f"audit checkpoints: {checkpoint.path} (one appended now; copy it to write-once "
        "storage, docs/audit.md)"
    )
    console.print("next: `ildpath patient enrol --help`, or `ildpath demo` for a synthetic cohort")
