"""Scenario files (shared/scenarios/FORMAT.md): one patient's course with what the engine must
say on given dates, run on a fresh database with a simulated clock."""

from .loader import Scenario, ScenarioFormatError, load_scenario
from .runner import ScenarioResult, run_scenario

__all__ = ["Scenario", "ScenarioFormatError", "ScenarioResult", "load_scenario", "run_scenario"]
