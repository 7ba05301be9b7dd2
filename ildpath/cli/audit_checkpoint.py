"""`ildpath audit checkpoint`: anchor every chain head in the checkpoint file, outside the
database (docs/audit.md, "Checkpoints")."""

import typer

from persistence.audit_checkpoint import CheckpointError

from ..usecases.audit_checkpoint import append_checkpoint
from .edge import console, open_app

__all__ = ["checkpoint"]


def checkpoint() -> None:
    """Append a signed checkpoint of every chain head (each patient's trail and access log,
    the accounts chain) to ILDPATH_AUDIT_CHECKPOINT_FILE; `audit verify` then finds anything
    removed after it. The daily job takes one each day."""
    app = open_app()
    try:
        summary = append_checkpoint(app)
    except CheckpointError as error:
        console.print(f"[bold red]checkpoint not written[/]: {error}", markup=True)
        raise typer.Exit(1) from None
    finally:
        app.engine.dispose()
    console.print(
        f"checkpoint of {summary.chains} chains ({summary.patients} patients, "
        f"{summary.views} access logs, the accounts chain at {summary.accounts_seq}) taken at "
        f"{summary.taken_at}, appended to {summary.path} (installation {summary.installation})"
    )
