"""(f) `audit verify` of the whole database beside the bare driver reading the same rows: every
audit event, every row of the clinical tables, every record view. Verification signs every
event again with the key, replays the rows each event wrote and compares them with the
tables; the issue's target is at most 5x the bare read. Timed in a child process, so its
memory and start are its own.

Run alone: ``python -m bench.audit_verify URL`` prints its figures as JSON.
"""

import json
import sys
import time
from typing import Any

from persistence.tables import CLINICAL_TABLES

from .child import figures_of_child
from .databases import bare_connection

__all__ = ["raw_audit_read", "verify_in_child"]

_TABLES = (*CLINICAL_TABLES, "record_view", "account_event")


def _present(cursor: Any, url: str) -> list[str]:
    """The tables of `_TABLES` this database has (a release before the accounts chain lacks
    it: the benchmark compares releases)."""
    if url.startswith("sqlite"):
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    have = {row[0] for row in cursor.fetchall()}
    return [table for table in _TABLES if table in have]


def raw_audit_read(url: str) -> dict[str, Any]:
    """Read every row, every column, of the tables `audit verify` reads, touching each row."""
    rows = 0
    started = time.perf_counter()
    with bare_connection(url) as connection:
        cursor = connection.cursor()
        for table in _present(cursor, url):
            cursor.execute(f'SELECT * FROM "{table}"')
            for _row in cursor:
                rows += 1
        connection.rollback()
    return {"rows": rows, "seconds": time.perf_counter() - started}


def _verify(url: str) -> dict[str, Any]:
    """Verify as the clinic does after a daily run: against a checkpoint of every chain head
    (taken first, untimed, in a file of the measure's own), so the comparison is timed too."""
    import tempfile
    from pathlib import Path

    from ildpath.bootstrap import bootstrap
    from ildpath.settings import Settings
    from ildpath.usecases.audit import verify_audit

    place = Path(tempfile.mkdtemp(prefix="ildpath-bench-checkpoints-"))
    settings = Settings(database_url=url, audit_checkpoint_file=place / "checkpoints.jsonl")
    app = bootstrap(settings, upgrade=False)
    _anchor(app)
    started = time.perf_counter()
    report = verify_audit(app)
    seconds = time.perf_counter() - started
    app.engine.dispose()
    return {
        "seconds": seconds,
        "patients": report.patients,
        "events": report.events,
        "rows_checked": getattr(report, "rows", 0),  # a release before the record: none
        "views": report.views,
        "findings": len(getattr(report, "findings", report.breaks)),
        "checkpoint_compared": getattr(report, "checkpoint", None) is not None,
    }


def _anchor(app: Any) -> None:
    """A checkpoint of the heads, where the release has them (the benchmark compares
    releases)."""
    try:
        from ildpath.usecases.audit_checkpoint import append_checkpoint
    except ImportError:
        return
    append_checkpoint(app)


def verify_in_child(url: str) -> dict[str, Any]:
    return figures_of_child("bench.audit_verify", url)


if __name__ == "__main__":
    print(json.dumps(_verify(sys.argv[1])))
