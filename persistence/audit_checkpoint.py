"""Anchored heads: signed checkpoints of every chain head, appended to a file outside the
database.

A keyed chain proves that what is there was written by the application, but not that nothing
was cut off its end: someone with write access to the database can delete a patient's last
events and roll the patient's head back, empty an access log, or delete a whole patient, and
every chain that is left still verifies. A checkpoint remembers, outside the database, how far
each chain reached (each patient's trail and access log, the accounts chain, the listing log)
and signs that with the audit key; `checkpoint_findings` names every chain that no longer
reaches as far.

One JSON line per checkpoint (keys sorted, compact), appended and fsynced, so the file can be
shipped to write-once storage as it grows. Several databases may share one file: each line
names its installation (`persistence.installation`).
"""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, column, func, select, table, text

from .audit_checkpoint_file import (
    CHECKPOINT_FILE_VARIABLE,
    CheckpointError,
    append_signed,
    checkpoint_file_path,
    default_checkpoint_file,
    latest_line,
)
from .audit_findings import Finding
from .audit_key import AuditKeyring
from .installation import installation_id

__all__ = [
    "CHECKPOINT_FILE_VARIABLE",
    "CheckpointError",
    "CheckpointSummary",
    "checkpoint_file_path",
    "checkpoint_findings",
    "default_checkpoint_file",
    "take_checkpoint",
]

_FORMAT = "ildpath-audit-checkpoint/1"
_PAIRS = 500

Head = tuple[int, str]
"""A chain's last link: its seq and its hash."""


@dataclass(frozen=True)
class CheckpointSummary:
    """One checkpoint: when, of which installation, how many chains, in which file."""

    path: Path
    taken_at: str
    installation: str
    key_id: str
    patients: int
    views: int
    accounts_seq: int

    @property
    def chains(self) -> int:
        """Patients' trails, access logs that hold a view, and the accounts chain."""
        return self.patients + self.views + 1

    def as_json(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "taken_at": self.taken_at,
            "installation": self.installation,
            "key_id": self.key_id,
            "patients": self.patients,
            "views": self.views,
            "accounts_seq": self.accounts_seq,
            "chains": self.chains,
        }


# -- reading the heads -------------------------------------------------------------------

_LAST_LINKS = """
SELECT p.external_id, c.seq, c.hash FROM {table} c
JOIN (SELECT patient_id, max(seq) AS seq FROM {table} GROUP BY patient_id) h
  ON h.patient_id = c.patient_id AND h.seq = c.seq
JOIN patient p ON p.id = c.patient_id
"""


def _patient_heads(connection: Connection, table: str) -> dict[str, Head]:
    rows = connection.execute(text(_LAST_LINKS.format(table=table)))
    return {external: (int(seq), str(digest)) for external, seq, digest in rows}


def _global_head(connection: Connection, table: str) -> Head:
    """The last link of an installation-wide chain (``account_event``, ``listing_view``)."""
    row = connection.execute(
        text(f"SELECT seq, hash FROM {table} WHERE seq = (SELECT max(seq) FROM {table})")
    ).first()
    return (int(row[0]), str(row[1])) if row else (0, "")


def _heads(connection: Connection) -> dict[str, Any]:
    events = _patient_heads(connection, "audit_event")
    views = _patient_heads(connection, "record_view")
    patients = {
        external: {
            "events": list(head),
            **({"views": list(views[external])} if external in views else {}),
        }
        for external, head in events.items()
    }
    seq, digest = _global_head(connection, "account_event")
    listed, listed_hash = _global_head(connection, "listing_view")
    return {
        "patients": patients,
        "accounts": {"seq": seq, "hash": digest},
        "listings": {"seq": listed, "hash": listed_hash},
    }


def take_checkpoint(
    bind: Engine | Connection, keyring: AuditKeyring, path: Path, *, at: datetime
) -> CheckpointSummary:
    """Read every chain head (one transaction) and append them, signed, as one line."""
    if isinstance(bind, Engine):
        with bind.begin() as connection:
            return take_checkpoint(connection, keyring, path, at=at)
    installation = installation_id(bind) or ""
    body = {
        "format": _FORMAT,
        "installation": installation,
        "taken_at": at.isoformat(),
        "key_id": keyring.current,
        **_heads(bind),
    }
    append_signed(path, body, keyring)
    return _summary(path, body)


def _summary(path: Path, body: dict[str, Any]) -> CheckpointSummary:
    patients: dict[str, dict[str, Any]] = body["patients"]
    return CheckpointSummary(
        path=path,
        taken_at=body["taken_at"],
        installation=body["installation"],
        key_id=body["key_id"],
        patients=len(patients),
        views=sum(1 for heads in patients.values() if "views" in heads),
        accounts_seq=int(body["accounts"]["seq"]),
    )


# -- comparing ---------------------------------------------------------------------------


def _compare(noun: str, checkpointed: Head, now: str | None, last: int, when: str) -> str | None:
    """What happened to one chain since the checkpoint (``now``: its link at the checkpointed
    seq today, ``last``: its last seq today), or None if it still reaches as far (links
    appended since are fine)."""
    seq, digest = checkpointed
    if seq <= 0:
        return None
    if now is None:
        removed = f"{noun}s {last + 1}..{seq}" if last + 1 < seq else f"{noun} {seq}"
        return f"{removed} removed after the checkpoint of {when} (the chain now ends at {last})"
    if now != digest:
        return f"{noun} {seq} differs from the checkpoint of {when}"
    return None


def _patients_now(connection: Connection) -> dict[str, int]:
    rows = connection.execute(text("SELECT external_id, id FROM patient"))
    return {str(external): int(patient) for external, patient in rows}


def _links_at(
    connection: Connection, name: str, wanted: dict[int, int]
) -> tuple[dict[int, str], dict[int, int]]:
    """For each patient (id -> checkpointed seq): its link's hash at that seq today, if
    there is one, and every patient's last seq today."""
    chain = table(name, column("patient_id"), column("seq"), column("hash"))
    last = {
        int(patient): int(seq)
        for patient, seq in connection.execute(
            select(chain.c.patient_id, func.max(chain.c.seq)).group_by(chain.c.patient_id)
        )
    }
    pairs = list(wanted.items())
    at: dict[int, str] = {}
    for start in range(0, len(pairs), _PAIRS):
        piece = pairs[start : start + _PAIRS]
        # A join with the wanted pairs as a VALUES list: an index lookup each, where a
        # row-value IN scans (40x slower at 10,000 patients on SQLite).
        wanted_values = ", ".join(f"(:p{n}, :s{n})" for n in range(len(piece)))
        values: dict[str, int] = {}
        for n, (patient, seq) in enumerate(piece):
            values[f"p{n}"], values[f"s{n}"] = patient, seq
        rows = connection.execute(
            text(
                f"WITH wanted (patient_id, seq) AS (VALUES {wanted_values}) "
                f'SELECT c.patient_id, c.hash FROM wanted JOIN "{name}" c '
                "ON c.patient_id = wanted.patient_id AND c.seq = wanted.seq"
            ),
            values,
        )
        at.update((int(patient), str(digest)) for patient, digest in rows)
    return at, last


def _patient_findings(connection: Connection, line: dict[str, Any]) -> list[Finding]:
    when = str(line["taken_at"])
    ids = _patients_now(connection)
    patients: dict[str, dict[str, list[Any]]] = line["patients"]
    findings: list[Finding] = []
    for chain, name, noun in (("events", "audit_event", "event"), ("views", "record_view", "view")):
        wanted = {
            ids[external]: int(heads[chain][0])
            for external, heads in patients.items()
            if external in ids and chain in heads
        }
        at, last = _links_at(connection, name, wanted)
        for external, heads in sorted(patients.items()):
            if external not in ids or chain not in heads:
                continue
            seq, digest = int(heads[chain][0]), str(heads[chain][1])
            patient = ids[external]
            problem = _compare(noun, (seq, digest), at.get(patient), last.get(patient, 0), when)
            if problem:
                findings.append(Finding(chain, problem, external, seq=seq))
    for external in sorted(set(patients) - set(ids)):
        findings.append(
            Finding(
                "checkpoint",
                f"patient deleted after the checkpoint of {when} (its trail reached event "
                f"{patients[external]['events'][0]})",
                external,
            )
        )
    return findings


_GLOBAL_CHAINS = (
    ("accounts", "account_event", "account event"),
    ("listings", "listing_view", "listing"),
)
"""Installation-wide chains a checkpoint anchors: (its key and chain, table, a link's noun).
A checkpoint taken before the listing log has no ``listings``: nothing to compare."""


def _global_findings(connection: Connection, line: dict[str, Any]) -> list[Finding]:
    findings = []
    for chain, links, noun in _GLOBAL_CHAINS:
        head = line.get(chain) or {"seq": 0, "hash": ""}
        seq, digest = int(head["seq"]), str(head["hash"])
        if seq <= 0:
            continue
        found = connection.execute(
            text(f"SELECT hash FROM {links} WHERE seq = :seq"), {"seq": seq}
        ).scalar()
        last = connection.execute(text(f"SELECT coalesce(max(seq), 0) FROM {links}")).scalar()
        now = None if found is None else str(found)
        problem = _compare(noun, (seq, digest), now, int(last or 0), str(line["taken_at"]))
        if problem:
            findings.append(Finding(chain, problem, seq=seq))
    return findings


def checkpoint_findings(
    bind: Engine | Connection, keyring: AuditKeyring, path: Path
) -> tuple[CheckpointSummary | None, list[Finding]]:
    """Compare the database with the latest checkpoint of this installation in ``path``:
    every chain that no longer reaches its checkpointed head, or whose head was rewritten, and
    every patient deleted since. No checkpoint yet: (None, [])."""
    if isinstance(bind, Engine):
        with bind.connect() as connection:
            return checkpoint_findings(connection, keyring, path)
    installation = installation_id(bind, create=False)
    if installation is None or not path.exists():
        return None, []
    try:
        line, findings = latest_line(path, installation, keyring)
    except OSError as error:
        raise CheckpointError(f"cannot read the checkpoint file {path}: {error}") from error
    if line is None:
        return None, findings
    findings += _patient_findings(bind, line) + _global_findings(bind, line)
    return _summary(path, line), findings
