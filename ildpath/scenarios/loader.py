"""Reading a scenario file into plain values, refusing what FORMAT.md does not define."""

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..usecases.events import EVENT_KINDS as DISPATCHED
from .yaml_loader import load_yaml

__all__ = [
    "EVENT_KINDS",
    "EXPECTATION_KEYS",
    "Scenario",
    "ScenarioEvent",
    "ScenarioFormatError",
    "load_scenario",
]

EVENT_KINDS = tuple(DISPATCHED)
"""The kinds of FORMAT.md: those of the one dispatcher (`ildpath.usecases.events`)."""
_EVENT_OPTIONS = {
    "on",
    "recorded_on",
    "expect_refused",
    "reason",
    "actor",
    "role",
    "outcome",
    "closing_reason",
}
_LISTS = (
    "alerts",
    "alerts_holding",
    "alerts_withdrawn",
    "alerts_unacknowledged",
    "proposed_triggers",
    "recommendations",
    "recommendations_in_place",
    "tasks_open",
    "tasks_overdue",
    "tasks_done",
)
EXPECTATION_KEYS = frozenset(
    {"as_of", "state", "recommendations_first"}
    | {f"{name}_{form}" for name in _LISTS for form in ("include", "exclude")}
)


class ScenarioFormatError(ValueError):
    """The file does not follow FORMAT.md (it is the file that is wrong, not the engine)."""


@dataclass(frozen=True)
class ScenarioEvent:
    index: int
    kind: str
    body: Any
    on: date
    recorded_on: date
    expect_refused: bool
    options: dict[str, Any]


@dataclass(frozen=True)
class Scenario:
    path: Path
    name: str
    patient: dict[str, Any]
    events: list[ScenarioEvent]
    expectations: list[dict[str, Any]] = field(default_factory=list)


def _day(value: object, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as error:
        raise ScenarioFormatError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from error


def _event(index: int, raw: Any) -> ScenarioEvent:
    where = f"events[{index}]"
    if not isinstance(raw, dict) or "on" not in raw:
        raise ScenarioFormatError(f"{where}: an event is a mapping with an 'on' date")
    kinds = [k for k in raw if k in EVENT_KINDS]
    unknown = [k for k in raw if k not in EVENT_KINDS and k not in _EVENT_OPTIONS]
    if len(kinds) != 1 or unknown:
        raise ScenarioFormatError(
            f"{where}: exactly one of {', '.join(EVENT_KINDS)} is needed"
            + (f"; unknown keys: {', '.join(map(str, unknown))}" if unknown else "")
        )
    on = _day(raw["on"], f"{where}.on")
    recorded = _day(raw.get("recorded_on", on), f"{where}.recorded_on")
    options = {k: raw[k] for k in raw if k in _EVENT_OPTIONS - {"on", "recorded_on"}}
    return ScenarioEvent(
        index,
        kinds[0],
        raw[kinds[0]],
        on,
        recorded,
        bool(options.pop("expect_refused", False)),
        options,
    )


def _expectation(index: int, raw: Any) -> dict[str, Any]:
    where = f"expect[{index}]"
    if not isinstance(raw, dict) or "as_of" not in raw:
        raise ScenarioFormatError(f"{where}: an expectation is a mapping with 'as_of'")
    unknown = sorted(set(map(str, raw)) - EXPECTATION_KEYS)
    if unknown:
        raise ScenarioFormatError(
            f"{where}: unknown keys {', '.join(unknown)}; allowed: "
            + ", ".join(sorted(EXPECTATION_KEYS))
        )
    return {**raw, "as_of": _day(raw["as_of"], f"{where}.as_of")}


def load_scenario(path: Path) -> Scenario:
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ScenarioFormatError(f"{path}: cannot read ({error.strerror})") from error
    except Exception as error:  # a YAML syntax error names line and column
        raise ScenarioFormatError(f"{path}: not valid YAML: {error}") from error
    if not isinstance(data, dict) or not isinstance(data.get("patient"), dict):
        raise ScenarioFormatError(f"{path}: a scenario needs a 'patient' mapping")
    events = [_event(i, e) for i, e in enumerate(data.get("events") or [])]
    expectations = [_expectation(i, x) for i, x in enumerate(data.get("expect") or [])]
    return Scenario(path, str(data.get("name", path.stem)), data["patient"], events, expectations)
