"""Checkpoints of every chain head: taken by `ildpath audit checkpoint` and the daily job,
compared by `audit verify` (`persistence.audit_checkpoint`)."""

from persistence.audit_checkpoint import (
    CheckpointError,
    CheckpointSummary,
    checkpoint_file_path,
    checkpoint_findings,
    take_checkpoint,
)
from persistence.audit_findings import Finding

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
        return None, findings, [NO_CHECKPOINT]
    return summary.as_json(), findings, []
