"""The secret that keys the audit chains, kept outside the database.

An unkeyed hash only proves that a chain is consistent: anyone with the code and write access
to the database can rewrite an event and recompute every hash after it. Keyed with a secret
that lives in a file the database's host and backups do not hold (``ILDPATH_AUDIT_KEY_FILE``),
a rewritten chain no longer verifies. Each event names the key it was signed with, so a key
can be rotated while the old ones stay to verify what they signed.

The file is made on first use (tests, the demo and scenarios create databases without
``ildpath init``), atomically, so two processes starting together agree on one key.
"""

import contextlib
import hmac
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

__all__ = [
    "KEY_FILE_VARIABLE",
    "AuditKeyError",
    "AuditKeyring",
    "default_key_file",
    "key_file_path",
    "load_keyring",
    "rotate_key",
]

KEY_FILE_VARIABLE = "ILDPATH_AUDIT_KEY_FILE"
_FORMAT = "ildpath-audit-keys/1"


class AuditKeyError(RuntimeError):
    """The key file cannot be read, made, or lacks the key an event names."""


@dataclass(frozen=True)
class AuditKeyring:
    """The keys of the audit chains: ``current`` signs new links, all of them verify."""

    current: str
    keys: Mapping[str, bytes]
    path: Path | None = None

    def sign(self, material: str, key_id: str | None = None) -> str:
        """HMAC-SHA-256 of ``material`` under the key ``key_id`` (default: the current one)."""
        return hmac.digest(self.secret(key_id or self.current), material.encode(), "sha256").hex()

    def secret(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            where = f" in {self.path}" if self.path else ""
            raise AuditKeyError(
                f"audit key {key_id!r} is not{where}: a link signed with it cannot be verified "
                "(restore the key file that holds it)"
            ) from None

    @classmethod
    def generate(cls) -> "AuditKeyring":
        """A keyring held in memory alone (the memory store, unit tests)."""
        key_id, secret = _new_key()
        return cls(key_id, {key_id: secret})


def default_key_file() -> Path:
    """Where the key lives when ``ILDPATH_AUDIT_KEY_FILE`` is unset: the user's configuration
    directory (``$XDG_CONFIG_HOME/ildpath/audit.key``), never beside the database."""
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "ildpath" / "audit.key"


def key_file_path(explicit: Path | None = None) -> Path:
    if explicit is not None:
        return explicit
    named = os.environ.get(KEY_FILE_VARIABLE)
    return Path(named) if named else default_key_file()


def _new_key() -> tuple[str, bytes]:
    return secrets.token_hex(4), secrets.token_bytes(32)


def _text(current: str, keys: Mapping[str, bytes], created: Mapping[str, str]) -> str:
    return json.dumps(
        {
            "format": _FORMAT,
            "current": current,
            "keys": {
                key_id: {"secret": secret.hex(), "created_at": created.get(key_id, "")}
                for key_id, secret in keys.items()
            },
        },
        indent=1,
    )


def _write_new(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` only if no file is there yet (mode 0600, atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process made it first: theirs
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _read(path: Path) -> tuple[str, dict[str, bytes], dict[str, str]]:
    try:
        data = json.loads(path.read_text())
        keys = {key_id: bytes.fromhex(key["secret"]) for key_id, key in data["keys"].items()}
        created = {key_id: key.get("created_at", "") for key_id, key in data["keys"].items()}
        current = data["current"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise AuditKeyError(f"the audit key file {path} cannot be read: {error}") from error
    if current not in keys or any(len(secret) < 32 for secret in keys.values()):
        raise AuditKeyError(f"the audit key file {path} is damaged (no current key of 32 bytes)")
    return current, keys, created


_LOADED: dict[Path, tuple[int, AuditKeyring]] = {}


def load_keyring(path: Path | None = None, *, create: bool = True) -> AuditKeyring:
    """The keyring in ``path`` (default `key_file_path`), made with one new key when absent
    and ``create``; read again only when the file changed (a rotation)."""
    path = key_file_path(path).expanduser()
    try:
        stamp = path.stat().st_mtime_ns
    except NotADirectoryError:
        raise AuditKeyError(
            f"the audit key file {path} cannot be made: a part of its path is a file, not a "
            f"folder (set {KEY_FILE_VARIABLE} to a file in a folder)"
        ) from None
    except FileNotFoundError:
        if not create:
            raise AuditKeyError(
                f"no audit key file at {path} (set {KEY_FILE_VARIABLE} to where it is kept)"
            ) from None
        key_id, secret = _new_key()
        try:
            _write_new(path, _text(key_id, {key_id: secret}, {key_id: _now()}))
        except OSError as error:
            raise AuditKeyError(
                f"cannot make the audit key file {path}: {error} (set {KEY_FILE_VARIABLE} to a "
                "writable place off the database's host)"
            ) from error
        stamp = path.stat().st_mtime_ns
    cached = _LOADED.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    current, keys, _ = _read(path)
    keyring = AuditKeyring(current, keys, path)
    _LOADED[path] = (stamp, keyring)
    return keyring


def rotate_key(path: Path | None = None) -> AuditKeyring:
    """Add a new key and make it the one that signs; the old ones stay to verify."""
    path = key_file_path(path).expanduser()
    load_keyring(path)
    _, keys, created = _read(path)
    key_id, secret = _new_key()
    keys[key_id] = secret
    created[key_id] = _now()
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(_text(key_id, keys, created))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    return load_keyring(path)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
