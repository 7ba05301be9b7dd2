"""Checkpoints of every chain head: taken by `ildpath audit checkpoint` and the daily job,
compared by `audit verify` (`persistence.audit_checkpoint`)."""

from pathlib import Path

from persistence.audit_checkpoint import (
    CheckpointError,
    CheckpointSummary,
    checkpoint_file_path,
    checkpoint_findings,
    take_checkpoint,
)
from persistence.audit_findings import Finding
from persistence.installation import installation_id

from ..bootstrap import App

__all__ = ["append_checkpoint", "checkpoint_report"]

NO_CHECKPOINT = (
    "no checkpoint yet: run `ildpath audit checkpoint` (the daily job takes one each day), so "
    "events, views or patients removed later are found"
)


def append_checkpoint(app: App) -> CheckpointSummary:
    """Sign every chain head of this database and append them to the checkpoint file."""
    path = checkpoint_file_path(app.settings.audit_checkpoint_file)
    return take_checkpoint(app.engine, app.sql.keyring, path, at=app.clock.now())


def checkpoint_report(app: App) -> tuple[dict[str, object] | None, list[Finding], list[str]]:
    """The latest checkpoint of this installation (as JSON), what differs from it, and notes
    for the person reading (no checkpoint yet)."""
    path = checkpoint_file_path(app.settings.audit_checkpoint_file)
    try:
        summary, findings = checkpoint_findings(app.engine, app.sql.keyring, path)
    except CheckpointError as error:  # unreadable: as good as removed, a reason to look
        return None, [Finding("checkpoint", str(error))], []
    if summary is None:
        return None, findings, [NO_CHECKPOINT, *_unnamed(app, path)]
    return summary.as_json(), findings, []


def _unnamed(app: App, path: Path) -> list[str]:
    """A database without an installation id beside a file that holds checkpoints: of other
    installations sharing it, or of this one if its id was deleted to hide from them."""
    if installation_id(app.engine, create=False) is not None or not path.is_file():
        return []
    if path.stat().st_size == 0:
        return []
    return [
        f"this database has no installation id, yet {path} holds checkpoints: of other "
        "databases sharing the file, or of this one if its id was deleted (compare with the "
        "installation `ildpath init` printed)"
    ]
