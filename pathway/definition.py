"""The pathway definition (`definition.yaml`) loaded into one immutable value.

Every configurable number of CLINICAL_SPEC lives in the YAML file, not in code, and the file's
``version`` is stamped on every alert, task and transition the engine produces.
"""

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

__all__ = ["PathwayDefinition", "default_definition", "load_definition"]


@dataclass(frozen=True)
class PathwayDefinition:
    version: str
    fvc_decline_points: float
    dlco_decline_points: float
    progression_window_days: int
    triple_therapy_window_days: int
    high_dose_prednisone_mg: float
    unknown_glucocorticoid_dose_is_high: bool
    prednisone_equivalence: dict[str, float]
    plasma_exchange_window_days: int
    detect_progression_lookback_days: int
    task_days: dict[str, int]
    pft_interval_months_high_risk: int
    pft_interval_months_low_risk: int
    cmv_detection_threshold: float
    audit_grace_days: int
    audit_cmv_grace_days: int
    raise_on_amendment_while_active: bool
    recommendations: dict[str, tuple[str, ...]]

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> "PathwayDefinition":
        tasks = dict(data["tasks"])
        return cls(
            version=str(data["version"]),
            fvc_decline_points=float(data["progression"]["fvc_decline_points"]),
            dlco_decline_points=float(data["progression"]["dlco_decline_points"]),
            progression_window_days=int(data["progression"]["window_days"]),
            triple_therapy_window_days=int(data["regimen"]["triple_therapy_window_days"]),
            high_dose_prednisone_mg=float(data["regimen"]["high_dose_prednisone_mg"]),
            unknown_glucocorticoid_dose_is_high=bool(
                data["regimen"]["unknown_glucocorticoid_dose_is_high"]
            ),
            prednisone_equivalence={
                k: float(v) for k, v in data["regimen"]["prednisone_equivalence"].items()
            },
            plasma_exchange_window_days=int(data["salvage"]["plasma_exchange_window_days"]),
            detect_progression_lookback_days=int(data["risk"]["detect_progression_lookback_days"]),
            pft_interval_months_high_risk=int(tasks.pop("pft_interval_months_high_risk")),
            pft_interval_months_low_risk=int(tasks.pop("pft_interval_months_low_risk")),
            task_days={k.removesuffix("_days"): int(v) for k, v in tasks.items()},
            cmv_detection_threshold=float(data["cmv"]["detection_threshold_iu_per_ml"]),
            audit_grace_days=int(data["audit"]["grace_days"]),
            audit_cmv_grace_days=int(data["audit"].get("cmv_grace_days", 0)),
            raise_on_amendment_while_active=bool(data["safety"]["raise_on_amendment_while_active"]),
            recommendations={k: tuple(v) for k, v in data["recommendations"].items()},
        )


def load_definition(path: Path) -> PathwayDefinition:
    """A definition from a YAML file (a clinic's own, reviewed copy)."""
    return PathwayDefinition.from_mapping(yaml.safe_load(path.read_text(encoding="utf-8")))


@cache
def default_definition() -> PathwayDefinition:
    """The definition shipped with the package."""
    text = resources.files("pathway").joinpath("definition.yaml").read_text(encoding="utf-8")
    return PathwayDefinition.from_mapping(yaml.safe_load(text))
