"""Rules declare their windows (ARCHITECTURE; CLINICAL_SPEC §7, §8).

A rule that reckons from the day it is asked about changes its answer on a day no entry and no
task names; the daily run skips a patient until the next such day (`pathway.horizon`), which it
learns only from the windows the rules declare beside themselves. These tests read the source
of every rule the daily judgement runs (`tests/unit/reckoning.py` says what that reading
catches and what it cannot) and fail when a rule reckons from the day asked undeclared, or a
declaration is not gathered for the horizon.
"""

from importlib import import_module

import pytest

from pathway import windows
from pathway.window import Rule, Window
from tests.unit.pathway_sources import ALL, reached_from, tree
from tests.unit.reckoning import declares, does_date_arithmetic, reckonings, shifting_functions

CALENDAR_ARITHMETIC = "pathway.dates"
"""The arithmetic itself: its functions are handed the day, and are read where called."""

JUDGED_DAILY = sorted(
    (reached_from("pathway.evaluation") | {m for m in ALL if m.startswith("pathway.rules")})
    - {CALENDAR_ARITHMETIC}
)
SHIFTING = shifting_functions(tree(m) for m in ALL)
RECKONINGS = [r for m in JUDGED_DAILY for r in reckonings(m, tree(m), SHIFTING)]
DECLARING = sorted(m for m in ALL if declares(tree(m), "WINDOWS") and m != "pathway.windows")


def key(rule: Rule) -> str:
    return f"{rule.__module__}:{rule.__qualname__}"


def declared_in(module: str) -> set[str]:
    """The rules ``module`` declares as reckoning from the day asked: windows and task dates."""
    loaded = import_module(module)
    windows_: tuple[Window, ...] = getattr(loaded, "WINDOWS", ())
    task_dates: tuple[Rule, ...] = getattr(loaded, "TASK_DATES", ())
    return {key(w.rule) for w in windows_} | {key(rule) for rule in task_dates}


def test_the_rules_the_daily_judgement_runs_are_all_read():
    rules = {m for m in ALL if m.startswith("pathway.rules")}
    assert rules | {"pathway.chart", "pathway.exposure", "pathway.phenotype"} <= set(JUDGED_DAILY)


def test_a_rule_that_reckons_from_the_day_asked_declares_it_beside_itself():
    undeclared = [str(r) for r in RECKONINGS if f"{r.module}:{r.rule}" not in declared_in(r.module)]

    assert undeclared == []


def test_a_module_whose_rules_do_date_arithmetic_declares_its_windows_even_none():
    silent = [m for m in JUDGED_DAILY if does_date_arithmetic(tree(m)) and m not in DECLARING]

    assert silent == []


def test_every_declared_window_is_gathered_for_the_quiet_horizon():
    missing = [
        f"{module}: {window.name}"
        for module in DECLARING
        for window in import_module(module).WINDOWS
        if window not in windows.WINDOWS
    ]

    assert missing == []


@pytest.mark.parametrize("window", windows.WINDOWS, ids=lambda w: w.name)
def test_a_window_is_declared_in_its_rules_own_module_naming_its_section(window):
    assert window in import_module(window.rule.__module__).WINDOWS
    assert window.section.startswith("§")


def test_a_declared_rule_still_reckons_from_the_day_asked():
    reckoning = {f"{r.module}:{r.rule}" for r in RECKONINGS}
    stale = [rule for module in DECLARING for rule in declared_in(module) - reckoning]

    assert stale == []


def test_the_windows_of_the_spec_are_those_declared():
    """A new window is a change of CLINICAL_SPEC: name it here too."""
    assert {(w.name, w.section) for w in windows.WINDOWS} == {
        ("triple-therapy deadline", "§7"),
        ("high risk after detected progression", "§8"),
        ("yearly influenza vaccination", "§8"),
    }
