"""The pathway definition (`definition.yaml`) loaded into one immutable value.

Every configurable number of CLINICAL_SPEC lives in the YAML file, not in code, and the file's
``version`` is stamped on every alert, task and transition the engine produces. The file is
read strictly (`definition_schema`): a definition the engine would misread is refused at start.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .definition_schema import read_definition
from .errors import DefinitionError
from .frozen import FrozenDict

__all__ = ["PathwayDefinition", "default_definition", "load_definition"]


@dataclass(frozen=True)
class PathwayDefinition:
    """The numbers and lists the rules advise with. Frozen all the way down (its tables are
    `FrozenDict`, so it can be hashed and handed to worker processes), and its ``repr`` names
    every value in a fixed order: a stored quiet horizon is keyed on it (`horizon.basis`)."""

    version: str
    fvc_decline_points: float
    dlco_decline_points: float
    progression_window_days: int
    triple_therapy_window_days: int
    high_dose_prednisone_mg: float
    unknown_glucocorticoid_dose_is_high: bool
    prednisone_equivalence: Mapping[str, float]
    dose_limits_mg: Mapping[str, float]
    """§11: each agent's plausible maximum per administration, in mg after conversion."""
    plasma_exchange_window_days: int
    detect_progression_lookback_days: int
    task_days: Mapping[str, int]
    """Days from a task's opening to its due date, by task (``hrct``, ``cmv_test`` ...) and
    for the first PFT (``first_pft``), the vaccinations and influenza revaccination."""
    pft_interval_months_high_risk: int
    pft_interval_months_low_risk: int
    cmv_detection_threshold: float
    """§8: the CMV detection threshold in IU/mL (``cmv_thresholds["iu_per_ml"]``)."""
    cmv_thresholds: Mapping[str, float]
    """§8: the CMV detection threshold of each unit (``iu_per_ml``, ``copies_per_ml``)."""
    audit_grace_days: int
    audit_cmv_grace_days: int
    raise_on_amendment_while_active: bool
    prior_history_years: int
    """§11: entries may be dated up to this many years before enrolment."""
    in_place: Mapping[str, tuple[str, ...]]
    """§4: each recommendation's parts (agents, agent classes, procedures)."""
    recommendations: Mapping[str, tuple[str, ...]]
    reschedule_min_days_ahead: int = 0
    """§8 Acting on a task: a task may be rescheduled to a date from today + this many days
    (0: not before today) ..."""
    reschedule_max_days_ahead: int = 365
    """... to today + this many days."""

    @classmethod
    def from_mapping(cls, data: object) -> "PathwayDefinition":
        """The definition from the file's parsed YAML; raises `DefinitionError` naming every
        key that is unknown, missing or not what it must be."""
        d = read_definition(data)
        tasks: dict[str, Any] = dict(d["tasks"])
        return cls(
            version=d["version"],
            fvc_decline_points=d["progression"]["fvc_decline_points"],
            dlco_decline_points=d["progression"]["dlco_decline_points"],
            progression_window_days=d["progression"]["window_days"],
            triple_therapy_window_days=d["regimen"]["triple_therapy_window_days"],
            high_dose_prednisone_mg=d["regimen"]["high_dose_prednisone_mg"],
            unknown_glucocorticoid_dose_is_high=d["regimen"]["unknown_glucocorticoid_dose_is_high"],
            prednisone_equivalence=d["regimen"]["prednisone_equivalence"],
            dose_limits_mg=d["doses"]["max_mg_per_administration"],
            plasma_exchange_window_days=d["salvage"]["plasma_exchange_window_days"],
            detect_progression_lookback_days=d["risk"]["detect_progression_lookback_days"],
            pft_interval_months_high_risk=tasks.pop("pft_interval_months_high_risk"),
            pft_interval_months_low_risk=tasks.pop("pft_interval_months_low_risk"),
            task_days=FrozenDict((k.removesuffix("_days"), v) for k, v in tasks.items()),
            cmv_detection_threshold=d["cmv"]["detection_threshold_iu_per_ml"],
            cmv_thresholds=FrozenDict(
                (unit, d["cmv"][f"detection_threshold_{unit}"])
                for unit in ("iu_per_ml", "copies_per_ml")
            ),
            audit_grace_days=d["audit"]["grace_days"],
            audit_cmv_grace_days=d["audit"]["cmv_grace_days"],
            raise_on_amendment_while_active=d["safety"]["raise_on_amendment_while_active"],
            prior_history_years=d["history"]["prior_history_years"],
            in_place=d["in_place"],
            recommendations=d["recommendations"],
            reschedule_min_days_ahead=d["task_actions"]["reschedule_min_days_ahead"],
            reschedule_max_days_ahead=d["task_actions"]["reschedule_max_days_ahead"],
        )


class _Loader(yaml.SafeLoader):
    """YAML as `yaml.safe_load` reads it, except that a key given twice in one section is
    refused: YAML keeps the last silently, so one of the two values would be ignored."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} is given twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _parsed(text: str, source: str) -> PathwayDefinition:
    try:
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader (see _Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise DefinitionError([f"not valid YAML: {error.problem}{where}"], source) from None
    except yaml.YAMLError as error:
        raise DefinitionError([f"not valid YAML: {error}"], source) from None
    try:
        return PathwayDefinition.from_mapping(data)
    except DefinitionError as error:
        raise error.in_file(source) from None


def load_definition(path: Path) -> PathwayDefinition:
    """A definition from a YAML file (a clinic's own, reviewed copy), read strictly."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DefinitionError([f"cannot be read ({error.strerror})"], str(path)) from None
    except UnicodeDecodeError:
        raise DefinitionError(["not UTF-8 text"], str(path)) from None
    return _parsed(text, str(path))


@cache
def default_definition() -> PathwayDefinition:
    """The definition shipped with the package (read as strictly as a clinic's copy)."""
    shipped = resources.files("pathway").joinpath("definition.yaml")
    return _parsed(shipped.read_text(encoding="utf-8"), str(shipped))
