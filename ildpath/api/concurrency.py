"""Optimistic concurrency over HTTP: the patient's version is its ETag; a write may send
``If-Match`` with it and is refused (409) if the patient moved on meanwhile."""

from typing import Any

from fastapi import Header, Response

from pathway.errors import InvalidValue

from ..usecases import Outcome
from ..usecases.patient_data import alert_line

__all__ = ["IfMatch", "etag", "expected_version", "outcome_body"]

IfMatch = Header(
    default=None,
    alias="If-Match",
    description='The ETag of the patient as you read it, e.g. "7"; the write is refused '
    "with 409 if the patient changed since.",
)


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(if_match: str | None) -> int | None:
    """The version in an If-Match header; ``*`` or none: no precondition."""
    if if_match is None or if_match.strip() in ("", "*"):
        return None
    tag = if_match.split(",")[0].strip().removeprefix("W/").strip('"')
    try:
        return int(tag)
    except ValueError:
        raise InvalidValue("If-Match", if_match, 'the ETag of the patient, e.g. "7"') from None


def outcome_body(response: Response, outcome: Outcome) -> dict[str, Any]:
    """A write's answer: what it did, as the write itself saw it (`Outcome`), with the
    patient's new version as the ETag."""
    response.headers["ETag"] = etag(outcome.version)
    return {
        "id": outcome.entry_id,
        "ids": list(outcome.entry_ids),
        "patient": outcome.patient_id,
        "version": outcome.version,
        "state": outcome.state,
        "alerts": [alert_line(a) for a in outcome.alerts_raised],
        "alerts_withdrawn": [
            {"id": a.id, "code": a.code, "withdrawn_by": a.by} for a in outcome.alerts_withdrawn
        ],
        "alerts_cleared": [
            {"id": a.id, "code": a.code, "cleared_on": a.on, "cleared_by": a.by}
            for a in outcome.alerts_cleared
        ],
        "tasks_opened": [
            {"id": t.id, "kind": t.kind, "due_on": t.due_on} for t in outcome.tasks_opened
        ],
        "tasks_closed": [
            {"id": t.id, "kind": t.kind, "status": t.status} for t in outcome.tasks_closed
        ],
    }
