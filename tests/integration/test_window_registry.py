"""The declared windows are the ones the quiet horizon listed by hand: on every day of every
scenario record and of each window's course, the registry gives the same (start, days) pairs as
`horizon._windows`, so reading the registry changes no horizon."""

from datetime import date, timedelta
from itertools import chain
from pathlib import Path

import pytest

from ildpath.scenarios import load_scenario, run_scenario
from pathway import PatientRecord
from pathway.definition import default_definition
from pathway.horizon import _windows
from pathway.windows import WINDOWS as DECLARED
from tests.integration.test_quiet_horizon import (
    BEYOND,
    SCENARIOS,
    TODAY,
    WINDOWS,
    _last_day,
    _records,
)


def declared(record: PatientRecord, day: date) -> list[tuple[date, int]]:
    definition = default_definition()
    return sorted(chain.from_iterable(w.spans(record, day, definition) for w in DECLARED))


def listed(record: PatientRecord, day: date) -> list[tuple[date, int]]:
    return sorted(_windows(record, day, default_definition()))


def differing_days(record: PatientRecord) -> list[date]:
    days = (record.enrolled_on + timedelta(days=n) for n in range(-3, 10_000))
    until = _last_day(record) + BEYOND
    return [d for d in days if d <= until and declared(record, d) != listed(record, d)]


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_declared_windows_are_those_the_horizon_listed(path: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'scenario.db'}"
    run_scenario(load_scenario(path), database_url=url)
    for record in _records(url, TODAY):
        assert differing_days(record) == []


@pytest.mark.parametrize("name", WINDOWS)
def test_each_window_course_is_declared_as_the_horizon_listed(name: str) -> None:
    assert differing_days(WINDOWS[name]) == []
    assert any(declared(WINDOWS[name], d) for d in (WINDOWS[name].enrolled_on, TODAY))
