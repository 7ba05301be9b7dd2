"""Reading an import file: one patient per line of NDJSON, its enrolment and its events.

Every line is checked before anything is written (`check_file`), so a file with one bad line
writes nothing and every bad line is named with its field and the allowed values.
"""

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any

from pathway.date_bounds import read_day
from pathway.errors import ClinicalError, InvalidValue

from ..enrolment import EnrolPatient
from ..enrolment_file import ENROLMENT_KEYS
from ..events import EVENT_KINDS

__all__ = [
    "HISTORY_KINDS",
    "MAX_PROBLEMS",
    "ImportRefused",
    "enrolment_of",
    "event_of",
    "lines_of",
    "parsed",
]

MAX_PROBLEMS = 50
"""Problems listed when a file is refused (the count says how many there were)."""

HISTORY_KINDS = (*(k for k in EVENT_KINDS if k != "acknowledge"), "therapy")
"""What a history may hold: every kind of event but acknowledgements (nothing is raised
before the history is judged), and ``therapy`` with its ``action`` (``start``/``stop``)."""


_HISTORY = frozenset(HISTORY_KINDS)


class ImportRefused(ClinicalError):
    """The file has lines that cannot be imported; nothing was written."""

    def __init__(self, problems: list[str], count: int) -> None:
        self.problems, self.count = problems, count
        more = f" (first {len(problems)} shown)" if count > len(problems) else ""
        super().__init__(
            f"{count} problem(s) in the file, nothing imported{more}:\n" + "\n".join(problems)
        )


def lines_of(read: Callable[[], Iterable[str]]) -> Iterator[tuple[int, str]]:
    """Each non-blank line with its number."""
    for number, line in enumerate(read(), start=1):
        if line.strip():
            yield number, line


def parsed(line: str) -> dict[str, Any]:
    """The JSON object a line holds, or the refusal."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise InvalidValue("line", line[:60], f"one JSON object per line ({error.msg})") from None
    if not isinstance(data, dict):
        raise InvalidValue("line", line[:60], "one JSON object per line")
    return data


def _day(name: str, value: object) -> date:
    """A date as the file writes it (YYYY-MM-DD), within the accepted range."""
    return read_day(name, str(value))


def enrolment_of(data: dict[str, Any]) -> EnrolPatient:
    """The enrolment a line holds (its fields but ``events``)."""
    unknown = sorted(set(data) - {*ENROLMENT_KEYS, "events"})
    if unknown:
        raise InvalidValue(unknown[0], data[unknown[0]], "fields " + ", ".join(ENROLMENT_KEYS))
    for name in ("id", "sex", "birth_date", "enrolled_on", "diagnosis", "anti_mda5", "anti_ars"):
        if data.get(name) is None:
            raise InvalidValue(name, None, "a value (required)")
    return EnrolPatient(
        id=str(data["id"]),
        sex=data["sex"],
        birth_date=_day("birth_date", data["birth_date"]),
        enrolled_on=_day("enrolled_on", data["enrolled_on"]),
        diagnosis=data["diagnosis"],
        anti_mda5=data["anti_mda5"],
        anti_ars=data["anti_ars"],
        ild_course=data.get("ild_course"),
        risk_factors=tuple(data.get("risk_factors") or ()),
        weight_kg=data.get("weight_kg"),
        height_cm=data.get("height_cm"),
    )


def event_of(event: object) -> tuple[str, object, date]:
    """An event of the history as the dispatcher's kind, body and clinical date."""
    if not isinstance(event, dict) or "on" not in event:
        raise InvalidValue(
            "on", None, "an event with a date 'on' and one of " + ", ".join(HISTORY_KINDS)
        )
    named = [k for k in event if k != "on"]
    if len(named) != 1 or named[0] not in _HISTORY:
        raise InvalidValue("kind", ",".join(named), "exactly one of " + ", ".join(HISTORY_KINDS))
    kind = named[0]
    body, on = event[kind], _day("on", event["on"])
    if kind == "therapy":
        if not isinstance(body, dict):
            raise InvalidValue("therapy", body, "an object with action, agent, route, dose")
        body = dict(body)
        kind = body.pop("action", None)
        if kind not in ("start", "stop"):
            raise InvalidValue("action", kind, "start, stop")
    return kind, body, on
