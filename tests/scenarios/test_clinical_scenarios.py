"""The clinical acceptance scenarios: the public ones (shared/) and our own (own/)."""

from pathlib import Path

import pytest

from ildpath.scenarios import load_scenario, run_scenario

HERE = Path(__file__).parent
SCENARIOS = sorted(HERE.glob("*/*.yaml"))
PUBLIC = sorted((HERE / "shared").glob("*.yaml"))
UPSTREAM = HERE.parents[2] / "shared" / "scenarios"


def _explain(result) -> str:  # type: ignore[no-untyped-def]
    return f"{result.scenario.name}:\n  " + "\n  ".join(result.failures)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_scenario_holds_on_sqlite(path: Path) -> None:
    result = run_scenario(load_scenario(path))
    assert result.passed, _explain(result)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_scenario_holds_on_the_memory_store(path: Path) -> None:
    result = run_scenario(load_scenario(path), in_memory=True)
    assert result.passed, _explain(result)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_scenario_holds_on_postgres(path: Path, postgres_url: str) -> None:
    result = run_scenario(load_scenario(path), database_url=postgres_url)
    assert result.passed, _explain(result)


def test_there_are_at_least_eight_own_scenarios() -> None:
    assert len(list((HERE / "own").glob("*.yaml"))) >= 8


@pytest.mark.skipif(not UPSTREAM.is_dir(), reason="shared/ is not beside this checkout")
def test_public_scenarios_are_the_upstream_copies() -> None:
    """Every public scenario, of revision 1 and of revision 2, is here byte for byte: a local
    edit would test a course nobody agreed on."""
    files = [*UPSTREAM.glob("*.yaml"), *UPSTREAM.glob("revision-2/*.yaml")]
    upstream = {p.name: p.read_bytes() for p in files}
    local = {p.name: p.read_bytes() for p in PUBLIC}
    assert local == upstream
