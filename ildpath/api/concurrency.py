"""Optimistic concurrency over HTTP: the patient's version is its ETag; a write may send
``If-Match`` with it and is refused (409) if the patient moved on meanwhile."""

from fastapi import Header, Response
from sqlmodel import select

from pathway.errors import InvalidValue
from persistence.tables import PatientRow

from ..bootstrap import App
from ..errors import PatientNotFound

__all__ = ["IfMatch", "etag", "expected_version", "patient_version", "set_etag"]

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


def patient_version(app: App, external_id: str) -> int:
    with app.transaction() as session:
        version = session.exec(
            select(PatientRow.version).where(PatientRow.external_id == external_id)
        ).first()
    if version is None:
        raise PatientNotFound(external_id)
    return int(version)


def set_etag(response: Response, app: App, external_id: str) -> int:
    version = patient_version(app, external_id)
    response.headers["ETag"] = etag(version)
    return version
