"""The checkpoint file: where it is, appending a signed line durably, and finding the latest
line of an installation that verifies, read from the file's end.

One JSON line per checkpoint (keys sorted, compact), signed with the audit key; several
databases may share the file, each line naming its installation. What a line holds and how it
is compared with the database is `persistence.audit_checkpoint`.
"""

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .audit_chain import canonical_json
from .audit_findings import Finding
from .audit_key import AuditKeyError, AuditKeyring

__all__ = [
    "CHECKPOINT_FILE_VARIABLE",
    "CheckpointError",
    "append_signed",
    "checkpoint_file_path",
    "default_checkpoint_file",
    "latest_line",
]

CHECKPOINT_FILE_VARIABLE = "ILDPATH_AUDIT_CHECKPOINT_FILE"
_BLOCK = 1 << 20


class CheckpointError(RuntimeError):
    """The checkpoint file cannot be written or read; the message names it."""


def default_checkpoint_file() -> Path:
    """Where checkpoints go when ``ILDPATH_AUDIT_CHECKPOINT_FILE`` is unset: the user's state
    directory (``$XDG_STATE_HOME/ildpath/audit-checkpoints.jsonl``), never beside the
    database."""
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "ildpath" / "audit-checkpoints.jsonl"


def checkpoint_file_path(explicit: Path | None = None) -> Path:
    if explicit is not None:
        return explicit.expanduser()
    named = os.environ.get(CHECKPOINT_FILE_VARIABLE)
    return (Path(named) if named else default_checkpoint_file()).expanduser()


def _signed(body: dict[str, Any], keyring: AuditKeyring) -> dict[str, Any]:
    return {**body, "signature": keyring.sign(canonical_json(body), body["key_id"])}


def _append(path: Path, line: str) -> None:
    """Append one line, durably; a torn last line (a crash mid-write) is closed first so it
    never swallows this one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(descriptor, "r+b") as handle:
            size = handle.seek(0, os.SEEK_END)
            if size:
                handle.seek(size - 1)
                if handle.read(1) != b"\n":
                    line = "\n" + line
            handle.write(line.encode() + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        raise CheckpointError(
            f"cannot append a checkpoint to {path}: {error} (set {CHECKPOINT_FILE_VARIABLE} to "
            "a writable place off the database's host)"
        ) from error


def _lines_from_end(path: Path) -> Iterator[bytes]:
    """The file's lines, last first, read in blocks (a line a day of 10,000 patients each
    makes a large file; only its end is read)."""
    with path.open("rb") as handle:
        position = handle.seek(0, os.SEEK_END)
        rest = b""
        while position > 0:
            step = min(_BLOCK, position)
            position -= step
            handle.seek(position)
            pieces = (handle.read(step) + rest).split(b"\n")
            rest = pieces[0]
            for piece in reversed(pieces[1:]):
                if piece.strip():
                    yield piece
        if rest.strip():
            yield rest


def _signature_problem(line: dict[str, Any], keyring: AuditKeyring) -> str | None:
    body = {key: value for key, value in line.items() if key != "signature"}
    try:
        expected = keyring.sign(canonical_json(body), str(body.get("key_id")))
    except AuditKeyError as error:
        return f"the checkpoint of {line.get('taken_at')} cannot be verified: {error}"
    if expected != line.get("signature"):
        return (
            f"the checkpoint of {line.get('taken_at')} does not match its signature "
            "(the line was edited)"
        )
    return None


def latest_line(
    path: Path, installation: str, keyring: AuditKeyring
) -> tuple[dict[str, Any] | None, list[Finding]]:
    """The latest line of ``installation`` that verifies, and a finding for every line of it
    after that one that does not (or cannot be read)."""
    findings: list[Finding] = []
    marker = f'"installation":"{installation}"'.encode()
    for raw in _lines_from_end(path):
        if marker not in raw:
            continue
        try:
            line = json.loads(raw)
        except ValueError:
            findings.append(Finding("checkpoint", f"a line of {path} cannot be read"))
            continue
        if not isinstance(line, dict) or line.get("installation") != installation:
            continue  # another installation's line that happens to hold the words
        problem = _signature_problem(line, keyring)
        if problem is None:
            return line, findings
        findings.append(Finding("checkpoint", f"{problem} ({path})"))
    return None, findings


def append_signed(path: Path, body: dict[str, Any], keyring: AuditKeyring) -> None:
    """Sign ``body`` with the key it names and append it as one line."""
    _append(path, canonical_json(_signed(body, keyring)))
