"""A calendar feed's address is its credential: the server's access log, kept longer and read
by more people than the feed, never holds it."""

import logging
from datetime import date
from pathlib import Path

from ildpath.api.app import create_api

from .apps import clinic

SECRET = "LS4BBroP-tjcYohxFsJxYLP8PgUccH1iiwndv6FL5ow"


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_the_access_log_masks_a_feeds_secret_and_keeps_other_paths(tmp_path: Path) -> None:
    with clinic(f"sqlite:///{tmp_path}/clinic.db", date(2026, 11, 2)) as (app, _):
        create_api(app)
        create_api(app)  # a second app in the process installs no second filter
    access = logging.getLogger("uvicorn.access")
    kept, level = _Kept(), access.level
    access.addHandler(kept)
    access.setLevel(logging.INFO)
    try:
        # as uvicorn writes its access lines: client, method, path, HTTP version, status
        line = '%s - "%s %s HTTP/%s" %d'
        access.info(line, "10.0.0.7:5123", "GET", f"/calendar/{SECRET}.ics", "1.1", 200)
        access.info(line, "10.0.0.7:5123", "GET", "/api/tasks?assignee=me", "1.1", 200)
    finally:
        access.removeHandler(kept)
        access.setLevel(level)
    assert kept.lines == [
        '10.0.0.7:5123 - "GET /calendar/….ics HTTP/1.1" 200',
        '10.0.0.7:5123 - "GET /api/tasks?assignee=me HTTP/1.1" 200',
    ]
    assert sum(type(f).__name__ == "FeedSecretsMasked" for f in access.filters) == 1
