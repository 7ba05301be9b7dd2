"""What `definition.yaml` must hold, key by key, and the strict reading of it.

A clinic edits its own copy of the definition. A misspelt key, a number typed as text or
``yes`` where a number is due would otherwise be read as something nobody chose (the shipped
value, ``1.0``, a crash days later): so every key is known here with what it must be, and a file
that is not exactly that is refused at start, each problem named by the key's full path.
"""

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .catalogue import AGENT_CLASS, PROCEDURES, AgentClass
from .codes import RECOMMENDATIONS
from .errors import DefinitionError
from .frozen import FrozenDict

__all__ = ["SHAPE", "read_definition"]


class _Refused(Exception):
    """One value that is not what its key needs (the walk adds the key's path)."""


Check = Callable[[object], object]
Shape = Mapping[str, "Check | Shape"]


def _shown(value: object) -> str:
    """A value as it was typed in YAML, so the person recognises it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    return repr(value)


def text(value: object) -> str:
    """Words, as the version is stamped on what the engine says: ``2026.10`` unquoted would be
    read as the number 2026.1."""
    if not isinstance(value, str) or not value.strip():
        raise _Refused(f"expected text, got {_shown(value)}")
    return value


def yes_no(value: object) -> bool:
    """``true`` or ``false`` only: a switch typed as ``"no"`` would otherwise read as on."""
    if not isinstance(value, bool):
        raise _Refused(f"expected true or false, got {_shown(value)}")
    return value


def number(
    *, above: float | None = None, at_least: float | None = None, at_most: float | None = None
) -> Check:
    """A finite number (a boolean is not a number) within the bounds that make sense."""
    bounds = [
        *([f"above {above:g}"] if above is not None else []),
        *([f"at least {at_least:g}"] if at_least is not None else []),
        *([f"at most {at_most:g}"] if at_most is not None else []),
    ]
    wanted = "a number" + (f" ({' and '.join(bounds)})" if bounds else "")

    def check(value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _Refused(f"expected {wanted}, got {_shown(value)}")
        if (
            not math.isfinite(value)
            or (above is not None and value <= above)
            or (at_least is not None and value < at_least)
            or (at_most is not None and value > at_most)
        ):
            raise _Refused(f"expected {wanted}, got {_shown(value)}")
        return float(value)

    return check


def whole(unit: str, *, at_least: int) -> Check:
    """A whole number of days or months: 14.5 days is a typing slip, not a window."""
    wanted = f"a whole number of {unit} ({at_least} or more)"

    def check(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < at_least:
            raise _Refused(f"expected {wanted}, got {_shown(value)}")
        return value

    return check


def recommendation_codes(value: object) -> tuple[str, ...]:
    """An ordered list of known recommendation codes (`pathway.codes`), each once: a code
    the engine cannot word would reach the clinician as a bare code, or not at all."""
    if not isinstance(value, list) or not value:
        raise _Refused(f"expected a list of one or more recommendation codes, got {_shown(value)}")
    problems = []
    for index, code in enumerate(value):
        if not isinstance(code, str) or code not in RECOMMENDATIONS:
            known = ", ".join(sorted(RECOMMENDATIONS))
            problems.append(
                f"[{index}]: unknown recommendation code {_shown(code)} (known: {known})"
            )
        elif code in value[:index]:
            problems.append(f"[{index}]: {code} is listed twice")
    if problems:
        raise _Refused(*problems)
    return tuple(value)


_IN_PLACE_PARTS = (*AGENT_CLASS, *(c.value for c in AgentClass), *PROCEDURES)


def in_place_parts(value: object) -> tuple[str, ...]:
    """A recommendation's parts (§4 "In place"): agents, agent classes or procedures, each
    known, each once."""
    if not isinstance(value, list) or not value:
        raise _Refused(
            f"expected a list of agents, agent classes or procedures, got {_shown(value)}"
        )
    problems = []
    for index, part in enumerate(value):
        if not isinstance(part, str) or part not in _IN_PLACE_PARTS:
            known = ", ".join(_IN_PLACE_PARTS)
            problems.append(f"[{index}]: unknown part {_shown(part)} (known: {known})")
        elif part in value[:index]:
            problems.append(f"[{index}]: {part} is listed twice")
    if problems:
        raise _Refused(*problems)
    return tuple(value)


_DAYS = whole("days", at_least=0)
_SOME_DAYS = whole("days", at_least=1)
_MONTHS = whole("months", at_least=1)
_POINTS = number(above=0, at_most=100)
_GLUCOCORTICOIDS = [a for a, c in AGENT_CLASS.items() if c is AgentClass.GLUCOCORTICOID]
_RECOMMENDATION_LISTS = (
    "mda5_positive",
    "non_progressive",
    "progressive",
    "progressive_anti_ars",
    "escalation",
    "escalation_respiratory_muscle_weakness",
    "salvage_mda5_positive",
    "salvage",
)

SHAPE: Shape = {
    "version": text,
    "progression": {
        "fvc_decline_points": _POINTS,
        "dlco_decline_points": _POINTS,
        "window_days": _SOME_DAYS,
    },
    "regimen": {
        "triple_therapy_window_days": _DAYS,
        "high_dose_prednisone_mg": number(above=0),
        "unknown_glucocorticoid_dose_is_high": yes_no,
        "prednisone_equivalence": {agent: number(above=0) for agent in _GLUCOCORTICOIDS},
    },
    "doses": {
        "max_mg_per_administration": {agent: number(above=0) for agent in AGENT_CLASS},
    },
    "salvage": {"plasma_exchange_window_days": _DAYS},
    "risk": {"detect_progression_lookback_days": _DAYS},
    "tasks": {
        "pft_interval_months_high_risk": _MONTHS,
        "pft_interval_months_low_risk": _MONTHS,
        "first_pft_days": _DAYS,
        "hrct_days": _DAYS,
        "cmv_test_days": _DAYS,
        "transplant_referral_days": _DAYS,
        "pjp_prophylaxis_days": _DAYS,
        "bone_protection_days": _DAYS,
        "vaccination_days": _DAYS,
        "influenza_revaccination_days": _SOME_DAYS,
        "pulmonary_rehabilitation_days": _DAYS,
    },
    "task_actions": {
        "reschedule_min_days_ahead": _DAYS,
        "reschedule_max_days_ahead": _SOME_DAYS,
    },
    "cmv": {
        "detection_threshold_iu_per_ml": number(at_least=0),
        "detection_threshold_copies_per_ml": number(at_least=0),
    },
    "audit": {"grace_days": _DAYS, "cmv_grace_days": _DAYS},
    "safety": {"raise_on_amendment_while_active": yes_no},
    "history": {"prior_history_years": whole("years", at_least=0)},
    "in_place": {code: in_place_parts for code in RECOMMENDATIONS},
    "recommendations": {name: recommendation_codes for name in _RECOMMENDATION_LISTS},
}
"""Every key of the definition and what it must be; nothing else is accepted."""


def _path(parent: str, key: str) -> str:
    return f"{parent}.{key}" if parent else key


def _section(data: object, shape: Shape, path: str, problems: list[str]) -> FrozenDict[str, Any]:
    """The section's values read by their shape. Unknown keys come first among its problems:
    a misspelt key explains the missing one named after it."""
    if not isinstance(data, dict):
        keys = ", ".join(shape)
        wanted = f"{path}: expected a section with the keys" if path else "expected the sections"
        problems.append(f"{wanted} {keys}, got {_shown(data)}")
        return FrozenDict()
    allowed = ", ".join(sorted(shape))
    problems.extend(
        f"{_path(path, str(key))}: unknown key (allowed: {allowed})"
        for key in data
        if key not in shape
    )
    return FrozenDict(_values(data, shape, path, problems))


def _values(
    data: dict[Any, Any], shape: Shape, path: str, problems: list[str]
) -> Iterable[tuple[str, Any]]:
    for key, wanted in shape.items():
        where = _path(path, key)
        if key not in data:
            problems.append(f"{where}: missing key")
            continue
        if isinstance(wanted, Mapping):
            yield key, _section(data[key], wanted, where, problems)
            continue
        try:
            yield key, wanted(data[key])
        except _Refused as refused:
            problems.extend(
                f"{where}{said}" if said.startswith("[") else f"{where}: {said}"
                for said in refused.args
            )


def read_definition(data: object) -> FrozenDict[str, Any]:
    """The definition's sections as read-only values, keyed as in the file; raises
    `DefinitionError` naming every key that is unknown, missing or not what it must be."""
    problems: list[str] = []
    sections = _section(data, SHAPE, "", problems)
    if problems:
        raise DefinitionError(problems)
    return sections
